//! Mixing for calls with more than two parties, sans-IO.
//!
//! A [`Plan`] says who hears whom: one bit mask per participant of the
//! participants it hears. It is computed from the call's roles
//! ([`Plan::from_roles`]: a customer, agents, a supervisor listening,
//! coaching or barged in, a customer on hold) whenever they change, not per
//! packet. The [`Mixer`] then takes one 20 ms frame per participant and
//! produces each *distinct* mix once: in a three-party call where the
//! supervisor only listens, the customer hears the agent alone, the agent
//! the customer alone and the supervisor both — three mixes; with five
//! listeners who all hear the same two speakers, one. Listeners that share
//! a mix share its encoding too ([`Mixer::mix_of`]).
//!
//! Sums saturate at the 16-bit range instead of wrapping, so two loud
//! speakers clip rather than turn into noise. Nothing allocates after
//! [`Mixer::new`]; a frame costs one pass per distinct mix.

use crate::jitter::FRAME;

/// The most participants one call's media mixes (a six-party conference,
/// a supervisor and a spare).
pub const MAX_PARTIES: usize = 8;

/// Who a participant is in the call; the plan follows from the roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The customer; `held`: on hold (hears music instead, heard by nobody).
    Customer { held: bool },
    /// An agent, or another party brought into a conference.
    Agent,
    /// A supervisor in one of the monitoring modes.
    Supervisor(Monitor),
}

/// How a supervisor takes part in a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Monitor {
    /// Hears customer and agent; nobody hears the supervisor.
    Listen,
    /// Hears customer and agent; only the agents hear the supervisor.
    Whisper,
    /// Everyone hears everyone.
    Barge,
}

impl Monitor {
    /// The stable name used by the API and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Monitor::Listen => "listen",
            Monitor::Whisper => "whisper",
            Monitor::Barge => "barge",
        }
    }

    pub fn parse(s: &str) -> Option<Monitor> {
        match s {
            "listen" => Some(Monitor::Listen),
            "whisper" => Some(Monitor::Whisper),
            "barge" => Some(Monitor::Barge),
            _ => None,
        }
    }
}

/// Who hears whom: bit `j` of `hears[i]` is set when participant `i`
/// hears participant `j`. Nobody hears themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    parties: usize,
    hears: [u8; MAX_PARTIES],
}

impl Plan {
    /// `parties` participants who hear nobody (at most [`MAX_PARTIES`]).
    pub fn silent(parties: usize) -> Plan {
        Plan { parties: parties.min(MAX_PARTIES), hears: [0; MAX_PARTIES] }
    }

    /// Everyone hears everyone else (a conference).
    pub fn everyone(parties: usize) -> Plan {
        let mut p = Plan::silent(parties);
        for i in 0..p.parties {
            for j in 0..p.parties {
                p.hear(i, j);
            }
        }
        p
    }

    /// The plan for these roles (index = participant).
    pub fn from_roles(roles: &[Role]) -> Plan {
        let mut p = Plan::silent(roles.len());
        for (i, listener) in roles.iter().enumerate().take(MAX_PARTIES) {
            for (j, speaker) in roles.iter().enumerate().take(MAX_PARTIES) {
                if hears(*listener, *speaker) {
                    p.hear(i, j);
                }
            }
        }
        p
    }

    /// `listener` hears `speaker` (ignored for oneself or out of range).
    pub fn hear(&mut self, listener: usize, speaker: usize) {
        if listener != speaker && listener < self.parties && speaker < self.parties {
            self.hears[listener] |= 1 << speaker;
        }
    }

    pub fn hears(&self, listener: usize, speaker: usize) -> bool {
        listener < self.parties && self.hears[listener] & (1 << speaker) != 0
    }

    pub fn parties(&self) -> usize {
        self.parties
    }

    /// The participants `listener` hears, as a bit mask.
    pub fn mask(&self, listener: usize) -> u8 {
        if listener < self.parties {
            self.hears[listener]
        } else {
            0
        }
    }
}

/// Whether `listener` hears `speaker` by their roles (they differ).
fn hears(listener: Role, speaker: Role) -> bool {
    use Role::*;
    match (listener, speaker) {
        // Held: the customer hears music, and nobody hears the customer.
        (Customer { held: true }, _) | (_, Customer { held: true }) => false,
        (Customer { .. }, Agent) => true,
        (Customer { .. }, Supervisor(m)) => m == Monitor::Barge,
        (Agent, Customer { .. } | Agent) => true,
        (Agent, Supervisor(m)) => m != Monitor::Listen,
        (Supervisor(_), Customer { .. } | Agent) => true,
        (Supervisor(a), Supervisor(b)) => a == Monitor::Barge && b == Monitor::Barge,
        (Customer { .. }, Customer { .. }) => false,
    }
}

/// Mixes one frame per participant into each distinct mix of a plan.
pub struct Mixer {
    /// The distinct masks of the current plan, `mixes` of them.
    masks: [u8; MAX_PARTIES],
    mixes: usize,
    /// For each participant, the index of its mix (`None`: hears nobody).
    of: [Option<u8>; MAX_PARTIES],
    out: [[i16; FRAME]; MAX_PARTIES],
    acc: [i32; FRAME],
    plan: Plan,
}

impl Default for Mixer {
    fn default() -> Self {
        Mixer::new(Plan::silent(0))
    }
}

impl Mixer {
    pub fn new(plan: Plan) -> Mixer {
        let mut m = Mixer { masks: [0; MAX_PARTIES], mixes: 0, of: [None; MAX_PARTIES], out: [[0; FRAME]; MAX_PARTIES], acc: [0; FRAME], plan: Plan::silent(0) };
        m.set_plan(plan);
        m
    }

    /// Takes a new plan (roles changed); the next `mix` follows it.
    pub fn set_plan(&mut self, plan: Plan) {
        self.plan = plan;
        self.mixes = 0;
        self.of = [None; MAX_PARTIES];
        for i in 0..plan.parties {
            let mask = plan.hears[i];
            if mask == 0 {
                continue;
            }
            let k = match self.masks[..self.mixes].iter().position(|&m| m == mask) {
                Some(k) => k,
                None => {
                    self.masks[self.mixes] = mask;
                    self.mixes += 1;
                    self.mixes - 1
                }
            };
            self.of[i] = Some(k as u8);
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// How many distinct mixes the plan needs (encodings per frame).
    pub fn mixes(&self) -> usize {
        self.mixes
    }

    /// Mixes `frames` (one per participant, in the plan's order; missing
    /// ones count as silence).
    pub fn mix(&mut self, frames: &[[i16; FRAME]]) {
        for k in 0..self.mixes {
            let mask = self.masks[k];
            self.acc = [0; FRAME];
            for (j, frame) in frames.iter().enumerate().take(MAX_PARTIES) {
                if mask & (1 << j) != 0 {
                    for (a, &s) in self.acc.iter_mut().zip(frame.iter()) {
                        *a += i32::from(s);
                    }
                }
            }
            for (o, &a) in self.out[k].iter_mut().zip(self.acc.iter()) {
                *o = a.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
            }
        }
    }

    /// Which mix `listener` hears (an index for [`Mixer::output`]), or
    /// `None` when it hears nobody. Listeners with the same index share
    /// one mix and may share its encoding.
    pub fn mix_of(&self, listener: usize) -> Option<usize> {
        self.of.get(listener).copied().flatten().map(usize::from)
    }

    /// The mix with index `k`, as computed by the last `mix`.
    pub fn output(&self, k: usize) -> &[i16; FRAME] {
        &self.out[k.min(MAX_PARTIES - 1)]
    }

    /// What `listener` hears, as computed by the last `mix`.
    pub fn heard_by(&self, listener: usize) -> Option<&[i16; FRAME]> {
        self.mix_of(listener).map(|k| self.output(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(v: i16) -> [i16; FRAME] {
        [v; FRAME]
    }

    const CUSTOMER: Role = Role::Customer { held: false };

    #[test]
    fn two_parties_hear_each_other_and_not_themselves() {
        let plan = Plan::from_roles(&[CUSTOMER, Role::Agent]);
        assert!(plan.hears(0, 1) && plan.hears(1, 0));
        assert!(!plan.hears(0, 0) && !plan.hears(1, 1));
        let mut m = Mixer::new(plan);
        m.mix(&[frame(100), frame(-7)]);
        assert_eq!(m.heard_by(0), Some(&frame(-7)));
        assert_eq!(m.heard_by(1), Some(&frame(100)));
        assert_eq!(m.mixes(), 2);
    }

    #[test]
    fn listen_whisper_and_barge_reach_exactly_the_parties_they_should() {
        let frames = [frame(1), frame(10), frame(100)]; // customer, agent, supervisor
        let heard = |mode| {
            let mut m = Mixer::new(Plan::from_roles(&[CUSTOMER, Role::Agent, Role::Supervisor(mode)]));
            m.mix(&frames);
            [0, 1, 2].map(|i| m.heard_by(i).map(|f| f[0]))
        };
        // Customer, agent, supervisor hear:
        assert_eq!(heard(Monitor::Listen), [Some(10), Some(1), Some(11)]);
        assert_eq!(heard(Monitor::Whisper), [Some(10), Some(101), Some(11)]);
        assert_eq!(heard(Monitor::Barge), [Some(110), Some(101), Some(11)]);
    }

    #[test]
    fn a_held_customer_hears_nobody_and_is_heard_by_nobody() {
        let plan = Plan::from_roles(&[Role::Customer { held: true }, Role::Agent, Role::Supervisor(Monitor::Barge)]);
        assert_eq!(plan.mask(0), 0);
        assert!(!plan.hears(1, 0) && !plan.hears(2, 0));
        // Agent and supervisor still talk.
        assert!(plan.hears(1, 2) && plan.hears(2, 1));
        let mut m = Mixer::new(plan);
        m.mix(&[frame(5), frame(6), frame(7)]);
        assert_eq!(m.heard_by(0), None);
    }

    #[test]
    fn a_conference_hears_everyone_but_itself() {
        let mut m = Mixer::new(Plan::from_roles(&[CUSTOMER, Role::Agent, Role::Agent]));
        m.mix(&[frame(1), frame(20), frame(300)]);
        assert_eq!([0, 1, 2].map(|i| m.heard_by(i).unwrap()[0]), [320, 301, 21]);
        assert_eq!(Plan::from_roles(&[CUSTOMER, Role::Agent, Role::Agent]), Plan::everyone(3));
    }

    #[test]
    fn listeners_that_hear_the_same_parties_share_one_mix() {
        // Two supervisors listening to one call: both hear customer + agent.
        let plan = Plan::from_roles(&[CUSTOMER, Role::Agent, Role::Supervisor(Monitor::Listen), Role::Supervisor(Monitor::Listen)]);
        let m = Mixer::new(plan);
        assert_eq!(m.mix_of(2), m.mix_of(3));
        assert_eq!(m.mixes(), 3);
    }

    #[test]
    fn sums_saturate_instead_of_wrapping() {
        let mut m = Mixer::new(Plan::everyone(3));
        m.mix(&[frame(30_000), frame(30_000), frame(-30_000)]);
        assert_eq!(m.heard_by(2).unwrap()[0], i16::MAX);
        m.mix(&[frame(-30_000), frame(-30_000), frame(0)]);
        assert_eq!(m.heard_by(2).unwrap()[0], i16::MIN);
        assert_eq!(m.heard_by(0).unwrap()[0], -30_000);
    }

    #[test]
    fn missing_frames_are_silence_and_out_of_range_is_ignored() {
        let mut m = Mixer::new(Plan::everyone(3));
        m.mix(&[frame(4)]);
        assert_eq!(m.heard_by(1).unwrap()[0], 4);
        assert_eq!(m.heard_by(0).unwrap()[0], 0);
        let mut p = Plan::silent(2);
        p.hear(0, 5);
        p.hear(7, 0);
        p.hear(1, 1);
        assert_eq!(p, Plan::silent(2));
        assert_eq!(m.heard_by(MAX_PARTIES + 3), None);
        assert_eq!(Plan::silent(99).parties(), MAX_PARTIES);
    }

    #[test]
    fn a_new_plan_applies_from_the_next_frame() {
        let mut m = Mixer::new(Plan::from_roles(&[CUSTOMER, Role::Agent, Role::Supervisor(Monitor::Listen)]));
        m.mix(&[frame(1), frame(10), frame(100)]);
        assert_eq!(m.heard_by(0).unwrap()[0], 10);
        m.set_plan(Plan::from_roles(&[CUSTOMER, Role::Agent, Role::Supervisor(Monitor::Barge)]));
        m.mix(&[frame(1), frame(10), frame(100)]);
        assert_eq!(m.heard_by(0).unwrap()[0], 110);
    }

    #[test]
    fn monitor_modes_have_stable_names() {
        for m in [Monitor::Listen, Monitor::Whisper, Monitor::Barge] {
            assert_eq!(Monitor::parse(m.as_str()), Some(m));
        }
        assert_eq!(Monitor::parse("spy"), None);
    }
}

//! Property tests: random event sequences on a small world (3 queues, 6
//! agents, 4 skills, contact ids reused), fed to the engine and to the
//! linear-scan reference router at once.
//!
//! After every input the test checks, from the outputs alone:
//! - a contact rings at most one agent and an agent at most one contact;
//! - no offer takes an agent above its capacity (ringing + in progress),
//!   and voice is exclusive;
//! - every offer ends exactly once, and never later than its `expires_at`;
//! - the last `AgentChanged` of each agent matches what the engine reports;
//! - engine and reference router produce identical outputs;
//!
//! and, through the engine's brute-force checker (`check_invariants`, with
//! offer checking on): work conservation (no free eligible agent while a
//! contact waits) and FIFO among contacts of equal eligibility and effective
//! priority. A separate property checks FIFO end to end in a plain queue.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use hotline_routing::*;
use proptest::prelude::{any, prop, prop_assert_eq, prop_oneof, proptest, Just, ProptestConfig, TestCaseError};
use proptest::strategy::Strategy as Gen;

const QUEUES: u32 = 3;
const AGENTS: u32 = 6;
const SKILLS: u32 = 4;
const CONTACT_IDS: u64 = 12;

/// An input in abstract form; references to offers and contacts are resolved
/// against what is pending when the op runs, so most ops hit live things.
#[derive(Debug, Clone)]
enum Op {
    Advance(u64),
    Queue(QueueConfig),
    Arrive(ContactSpec),
    Abandon(usize),
    Login(AgentId, AgentProfile, Status),
    Logout(AgentId),
    Update(AgentId, AgentProfile),
    SetStatus(AgentId, Status),
    Accept(usize),
    Reject(usize),
    Finish(usize),
    EndWrapUp(AgentId),
    Reset,
    Tick,
}

fn agent_id() -> impl Gen<Value = AgentId> {
    (1..=AGENTS).prop_map(AgentId)
}

fn queue_id() -> impl Gen<Value = QueueId> {
    (1..=QUEUES).prop_map(QueueId)
}

fn skill_req() -> impl Gen<Value = SkillReq> {
    (1..=SKILLS, 1u8..=10).prop_map(|(s, l)| SkillReq { skill: SkillId(s), min_level: l })
}

fn skill_expr() -> impl Gen<Value = SkillExpr> {
    let leaf = prop_oneof![Just(SkillExpr::Any), skill_req().prop_map(SkillExpr::Skill)];
    leaf.prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(SkillExpr::All),
            prop::collection::vec(inner, 0..3).prop_map(SkillExpr::AnyOf),
        ]
    })
}

fn step() -> impl Gen<Value = RoutingStep> {
    (skill_expr(), 0u8..4, any::<bool>(), prop::option::of(500u64..20_000)).prop_map(
        |(expr, relax_contact_levels, drop_contact_skills, timeout_ms)| RoutingStep {
            expr,
            relax_contact_levels,
            drop_contact_skills,
            timeout_ms,
        },
    )
}

fn strategy() -> impl Gen<Value = Strategy> {
    prop_oneof![
        Just(Strategy::LongestIdle),
        Just(Strategy::LeastOccupied),
        Just(Strategy::RoundRobin),
        Just(Strategy::BestSkill),
    ]
}

fn overflow() -> impl Gen<Value = Overflow> {
    (queue_id(), prop::option::of(1_000u64..30_000), any::<bool>())
        .prop_map(|(target, after_ms, when_no_agents)| Overflow { target, after_ms, when_no_agents })
}

fn queue_config() -> impl Gen<Value = QueueConfig> {
    (
        (queue_id(), strategy(), prop::collection::vec(step(), 0..3), 1u64..15_000, 0u64..5_000, 0u32..3),
        (0u32..3, 0u32..20, 0u64..10_000, prop::option::of(overflow()), prop::option::of(2_000u64..60_000)),
        prop_oneof![Just(GiveUpAction::Voicemail), Just(GiveUpAction::Callback), Just(GiveUpAction::Hangup)],
    )
        .prop_map(|((id, strategy, steps, offer_timeout_ms, wrap_up_ms, max_missed_offers), more, give_up)| {
            let (aging_per_sec, vip_boost, sticky_ms, overflow, max_wait_ms) = more;
            QueueConfig {
                id,
                strategy,
                steps,
                offer_timeout_ms,
                wrap_up_ms,
                max_missed_offers,
                aging_per_sec,
                vip_boost,
                sticky_ms,
                overflow,
                max_wait_ms,
                give_up,
                service_level_ms: 20_000,
                service_level_window_ms: 3_600_000,
            }
        })
}

fn channel() -> impl Gen<Value = Channel> {
    prop_oneof![4 => Just(Channel::Voice), 2 => Just(Channel::Chat), 1 => Just(Channel::Email)]
}

fn contact() -> impl Gen<Value = ContactSpec> {
    (
        1..=CONTACT_IDS,
        queue_id(),
        channel(),
        prop::collection::vec(skill_req(), 0..3),
        0u32..3,
        0u8..3,
        prop::option::of(agent_id()),
    )
        .prop_map(|(id, queue, channel, required, priority, tier, last_agent)| ContactSpec {
            id: ContactId(id),
            queue,
            channel,
            required,
            priority,
            tier,
            last_agent,
        })
}

fn agent_profile() -> impl Gen<Value = AgentProfile> {
    (
        prop::collection::vec(queue_id(), 0..4),
        prop::collection::vec((1..=SKILLS, 0u8..=12).prop_map(|(s, l)| (SkillId(s), l)), 0..5),
        (0u8..2, 0u8..4, 0u8..3),
    )
        .prop_map(|(queues, skills, (voice, chat, email))| AgentProfile {
            skills,
            queues,
            capacity: Capacity { voice, chat, email },
        })
}

fn status() -> impl Gen<Value = Status> {
    prop_oneof![
        4 => Just(Status::Available),
        1 => Just(Status::NotReady { reason: "break".into() }),
        1 => Just(Status::LoggedOut),
    ]
}

fn op() -> impl Gen<Value = Op> {
    prop_oneof![
        4 => (0u64..25_000).prop_map(Op::Advance),
        2 => queue_config().prop_map(Op::Queue),
        6 => contact().prop_map(Op::Arrive),
        1 => any::<usize>().prop_map(Op::Abandon),
        3 => (agent_id(), agent_profile(), status()).prop_map(|(a, p, s)| Op::Login(a, p, s)),
        1 => agent_id().prop_map(Op::Logout),
        1 => (agent_id(), agent_profile()).prop_map(|(a, p)| Op::Update(a, p)),
        2 => (agent_id(), status()).prop_map(|(a, s)| Op::SetStatus(a, s)),
        5 => any::<usize>().prop_map(Op::Accept),
        2 => any::<usize>().prop_map(Op::Reject),
        4 => any::<usize>().prop_map(Op::Finish),
        1 => agent_id().prop_map(Op::EndWrapUp),
        1 => Just(Op::Reset),
        1 => Just(Op::Tick),
    ]
}

/// Picks the `i`-th element of `set`, or, one time in eight, something
/// outside it (an id never seen or long stale) to exercise rejections.
fn pick<T: Copy>(set: impl ExactSizeIterator<Item = T>, i: usize, outside: T) -> T {
    let v: Vec<T> = set.collect();
    if v.is_empty() || i % 8 == 7 {
        return outside;
    }
    v[(i / 8) % v.len()]
}

/// What the outputs say, kept independently of the engine.
#[derive(Default)]
struct Model {
    /// Pending offers: id -> (contact, agent, expires_at).
    offers: BTreeMap<OfferId, (ContactId, AgentId, Time)>,
    ended: BTreeSet<OfferId>,
    /// Contacts known to the engine that are not yet assigned.
    unassigned: BTreeSet<ContactId>,
    /// Contact -> (agent, channel) while in progress.
    assigned: BTreeMap<ContactId, (AgentId, Channel)>,
    channels: BTreeMap<ContactId, Channel>,
    capacity: BTreeMap<AgentId, Capacity>,
    last_change: BTreeMap<AgentId, (Status, AgentState)>,
    /// The contact being fed in, until its `Queued`.
    arriving: Option<(ContactId, Channel)>,
}

impl Model {
    fn apply(&mut self, o: &Output) -> Result<(), String> {
        match o {
            Output::Queued { contact, .. } => {
                self.unassigned.insert(*contact);
                match self.arriving {
                    Some((c, ch)) if c == *contact => self.channels.insert(c, ch),
                    _ => return Err(format!("{contact:?} queued without arriving")),
                };
            }
            Output::Offer { offer, contact, agent, expires_at, .. } => {
                if self.offers.contains_key(offer) || self.ended.contains(offer) {
                    return Err(format!("{offer:?} issued twice"));
                }
                if let Some((other, _)) = self.offers.iter().find(|(_, v)| v.0 == *contact) {
                    return Err(format!("{contact:?} offered to {agent:?} while {other:?} rings"));
                }
                if let Some((other, _)) = self.offers.iter().find(|(_, v)| v.1 == *agent) {
                    return Err(format!("{agent:?} offered {contact:?} while {other:?} rings"));
                }
                self.offers.insert(*offer, (*contact, *agent, *expires_at));
                self.check_capacity(*agent, *contact)?;
            }
            Output::OfferEnded { offer, contact, agent, .. } => {
                match self.offers.remove(offer) {
                    Some((c, a, _)) if (c, a) == (*contact, *agent) => {}
                    Some(_) => return Err(format!("{offer:?} ended with other parties")),
                    None => return Err(format!("{offer:?} ended but was not pending")),
                }
                self.ended.insert(*offer);
            }
            Output::Assigned { contact, agent, .. } => {
                self.unassigned.remove(contact);
                let ch = self.channels.get(contact).copied().ok_or("assigned an unknown contact")?;
                self.assigned.insert(*contact, (*agent, ch));
            }
            Output::Abandoned { contact, .. } | Output::GaveUp { contact, .. } => {
                self.unassigned.remove(contact);
            }
            Output::Finished { contact, .. } => {
                self.assigned.remove(contact);
            }
            Output::AgentChanged { agent, status, state } => {
                self.last_change.insert(*agent, (status.clone(), *state));
            }
            Output::StepChanged { .. } | Output::Overflowed { .. } | Output::Rejected { .. } => {}
        }
        Ok(())
    }

    /// Called when an offer of `contact` is made to `a`: the offered
    /// channel is below the agent's capacity for it, and voice is exclusive
    /// (a voice offer to an agent with work in progress, or any offer to an
    /// agent on a voice contact, is a violation). Other channels' counts may
    /// exceed a capacity lowered later: work in progress is left alone.
    fn check_capacity(&self, a: AgentId, contact: ContactId) -> Result<(), String> {
        let cap = self.capacity.get(&a).copied().ok_or(format!("{a:?} offered before logging in"))?;
        let ch = self.channels.get(&contact).copied().ok_or(format!("{contact:?} offered but never queued"))?;
        let mut n = [0u32; 3];
        for (_, c) in self.assigned.values().filter(|v| v.0 == a) {
            n[*c as usize] += 1;
        }
        let others = self.offers.iter().filter(|(_, v)| v.1 == a && v.0 != contact).count();
        let caps = [cap.voice, cap.chat, cap.email].map(u32::from);
        let busy: u32 = n.iter().sum();
        let over = n[ch as usize] + 1 > caps[ch as usize];
        let voice_clash = n[0] > 0 || (ch == Channel::Voice && busy > 0);
        if over || voice_clash || others > 0 {
            return Err(format!("{a:?} offered {ch:?} while holding {n:?} (voice, chat, email), {others} other offers, capacity {cap:?}"));
        }
        Ok(())
    }

    fn check(&self, e: &Engine, now: Time) -> Result<(), String> {
        for (o, (c, a, expires)) in &self.offers {
            if *expires < now {
                return Err(format!("{o:?} ({c:?} -> {a:?}) expired at {expires:?}, still pending at {now:?}"));
            }
        }
        for a in 1..=AGENTS {
            let a = AgentId(a);
            let reported = self.last_change.get(&a).cloned();
            let actual = e.agent(a).map(|v| (v.status, v.state));
            let logged_out = matches!(reported, None | Some((Status::LoggedOut, _)));
            let consistent = match &actual {
                None => logged_out,
                Some(x) => reported.as_ref() == Some(x),
            };
            if !consistent {
                return Err(format!("{a:?}: last AgentChanged {reported:?}, engine says {actual:?}"));
            }
        }
        Ok(())
    }
}

struct Harness {
    now: u64,
    engine: Engine,
    naive: NaiveRouter,
    model: Model,
}

impl Harness {
    fn new() -> Harness {
        let mut engine = Engine::new();
        let mut naive = NaiveRouter::new();
        engine.set_checking(true);
        naive.set_checking(true);
        Harness { now: 0, engine, naive, model: Model::default() }
    }

    fn feed(&mut self, input: Input) -> Result<Vec<Output>, String> {
        match &input {
            Input::ContactArrived(spec) => self.model.arriving = Some((spec.id, spec.channel)),
            Input::AgentLogin { agent, profile, .. } if self.engine.agent(*agent).is_none() => {
                self.model.capacity.insert(*agent, profile.capacity);
            }
            Input::AgentUpdate { agent, profile } if self.engine.agent(*agent).is_some() => {
                self.model.capacity.insert(*agent, profile.capacity);
            }
            _ => {}
        }
        let t = Time(self.now);
        let label = format!("{input:?} at {}", self.now);
        self.engine.handle(t, input.clone());
        self.naive.handle(t, input);
        let mut outs = Vec::new();
        while let Some(o) = self.engine.poll_output() {
            outs.push(o);
        }
        let mut reference = Vec::new();
        while let Some(o) = self.naive.poll_output() {
            reference.push(o);
        }
        if outs != reference {
            return Err(format!("engine and reference differ after {label}:\n{outs:#?}\n{reference:#?}"));
        }
        for o in &outs {
            self.model.apply(o).map_err(|e| format!("after {label}: {e}"))?;
        }
        self.model.arriving = None;
        self.model.check(&self.engine, t).map_err(|e| format!("after {label}: {e}"))?;
        self.engine.check_invariants().map_err(|e| format!("after {label}: {e}"))?;
        Ok(outs)
    }

    fn run(&mut self, op: Op) -> Result<Vec<Output>, String> {
        let m = &self.model;
        let input = match op {
            Op::Advance(ms) => {
                self.now += ms;
                Input::Tick
            }
            Op::Queue(cfg) => Input::UpsertQueue(cfg),
            Op::Arrive(spec) => Input::ContactArrived(spec),
            Op::Abandon(i) => Input::ContactAbandoned(pick(m.unassigned.iter().copied(), i, ContactId(99))),
            Op::Login(agent, profile, status) => Input::AgentLogin { agent, profile, status },
            Op::Logout(a) => Input::AgentLogout(a),
            Op::Update(agent, profile) => Input::AgentUpdate { agent, profile },
            Op::SetStatus(agent, status) => Input::SetStatus { agent, status },
            Op::Accept(i) => Input::OfferAccepted(pick(m.offers.keys().copied(), i, stale(m, i))),
            Op::Reject(i) => Input::OfferRejected(pick(m.offers.keys().copied(), i, stale(m, i))),
            Op::Finish(i) => Input::ContactFinished(pick(m.assigned.keys().copied(), i, ContactId(98))),
            Op::EndWrapUp(a) => Input::EndWrapUp(a),
            Op::Reset => Input::ResetDailyCounters,
            Op::Tick => Input::Tick,
        };
        self.feed(input)
    }

    /// Lets time run past every pending offer's expiry; all must have ended.
    fn drain_offers(&mut self) -> Result<(), String> {
        let pending: Vec<(OfferId, Time)> = self.model.offers.iter().map(|(o, v)| (*o, v.2)).collect();
        let Some(latest) = pending.iter().map(|p| p.1).max() else { return Ok(()) };
        self.now = self.now.max(latest.0);
        self.feed(Input::Tick)?;
        match pending.iter().find(|(o, _)| !self.model.ended.contains(o)) {
            Some((o, at)) => Err(format!("{o:?} (expiring at {at:?}) never ended")),
            None => Ok(()),
        }
    }
}

/// An offer id that was issued and has ended, or one never issued.
fn stale(m: &Model, i: usize) -> OfferId {
    let ended: Vec<OfferId> = m.ended.iter().copied().collect();
    match ended.is_empty() || i.is_multiple_of(2) {
        true => OfferId(10_000 + i as u64 % 7),
        false => ended[i / 2 % ended.len()],
    }
}

fn setup() -> Vec<Input> {
    (1..=QUEUES).map(|q| upsert(queue(q))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// The safety and liveness properties listed at the top, over any sequence.
    #[test]
    fn random_sequences_keep_every_invariant(ops in prop::collection::vec(op(), 1..80)) {
        let mut h = Harness::new();
        for input in setup() {
            h.feed(input).map_err(TestCaseError::fail)?;
        }
        for op in ops {
            h.run(op).map_err(TestCaseError::fail)?;
        }
        h.drain_offers().map_err(TestCaseError::fail)?;
    }

    /// In one queue with no skills, equal priorities and no aging, contacts
    /// are first offered strictly in arrival order, whatever agents do.
    #[test]
    fn plain_queue_is_fifo(ops in prop::collection::vec(
        prop_oneof![
            3 => (1..=CONTACT_IDS).prop_map(|c| Op::Arrive(call(c, 1))),
            2 => any::<usize>().prop_map(Op::Accept),
            1 => any::<usize>().prop_map(Op::Reject),
            2 => any::<usize>().prop_map(Op::Finish),
            1 => any::<usize>().prop_map(Op::Abandon),
            1 => (1..=3u32).prop_map(|a| Op::Login(AgentId(a), profile(&[1], &[], voice_only()), Status::Available)),
            1 => (1..=3u32).prop_map(|a| Op::SetStatus(AgentId(a), not_ready("break"))),
            1 => (1..=3u32).prop_map(|a| Op::SetStatus(AgentId(a), Status::Available)),
            2 => (0u64..15_000).prop_map(Op::Advance),
        ],
        1..100,
    )) {
        let mut h = Harness::new();
        h.feed(upsert(queue(1))).map_err(TestCaseError::fail)?;
        let mut arrival = 0u64;
        // Arrival number of each waiting contact; first offers must follow it.
        let mut arrived: BTreeMap<ContactId, u64> = BTreeMap::new();
        let mut first_offered: Vec<u64> = Vec::new();
        for op in ops {
            let outs = h.run(op).map_err(TestCaseError::fail)?;
            for o in outs {
                match o {
                    Output::Queued { contact, .. } => {
                        arrival += 1;
                        arrived.insert(contact, arrival);
                    }
                    Output::Offer { contact, .. } => {
                        if let Some(n) = arrived.remove(&contact) {
                            first_offered.push(n);
                        }
                    }
                    Output::Abandoned { contact, .. } => {
                        arrived.remove(&contact);
                    }
                    _ => {}
                }
            }
        }
        let mut sorted = first_offered.clone();
        sorted.sort();
        prop_assert_eq!(first_offered, sorted, "contacts were first offered out of arrival order");
    }
}

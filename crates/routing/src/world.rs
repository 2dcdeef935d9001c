//! The engine's records of agents, contacts and queues, and the rules that
//! depend only on them (capacity, eligibility, priority, strategy keys).

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::skills::{Requirement, SkillSet};
use crate::stats::QueueCounters;
use crate::types::*;

/// A small deterministic hasher for integer ids (no random state in the library).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub type Map<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Strategy key of an agent in one queue: smaller is preferred.
pub type AgentKey = (u64, u64, AgentId);

/// Time-invariant order of waiting contacts within one queue: smaller first.
pub type OrderKey = (i128, u64);

#[derive(Debug, Clone)]
pub struct Agent {
    pub id: AgentId,
    pub skills: SkillSet,
    /// Sorted, distinct.
    pub queues: Vec<QueueId>,
    pub capacity: Capacity,
    pub status: Status,
    pub active: Vec<(ContactId, Channel)>,
    pub offer: Option<(OfferId, Channel)>,
    pub wrap_until: Option<Time>,
    pub wrap_epoch: u64,
    /// Last work transition (login, ready, accept, miss, finish, wrap-up end).
    pub ready_since: Time,
    pub handled_today: u32,
    pub missed: u32,
    /// Round-robin position per queue (the queue's counter when last offered).
    pub rr: Vec<(QueueId, u64)>,
}

impl Agent {
    pub fn new(id: AgentId, profile: &AgentProfile, status: Status, now: Time) -> Agent {
        let mut a = Agent {
            id,
            skills: SkillSet::default(),
            queues: Vec::new(),
            capacity: profile.capacity,
            status,
            active: Vec::new(),
            offer: None,
            wrap_until: None,
            wrap_epoch: 0,
            ready_since: now,
            handled_today: 0,
            missed: 0,
            rr: Vec::new(),
        };
        a.set_profile(profile);
        a
    }

    pub fn set_profile(&mut self, p: &AgentProfile) {
        self.skills = SkillSet::new(&p.skills);
        let mut q = p.queues.clone();
        q.sort();
        q.dedup();
        self.queues = q;
        self.capacity = p.capacity;
    }

    pub fn state(&self) -> AgentState {
        if self.offer.is_some() {
            AgentState::Reserved
        } else if !self.active.is_empty() {
            AgentState::Busy
        } else if self.wrap_until.is_some() {
            AgentState::WrapUp
        } else {
            AgentState::Idle
        }
    }

    pub fn is_member(&self, q: QueueId) -> bool {
        self.queues.binary_search(&q).is_ok()
    }

    fn count(&self, ch: Channel) -> usize {
        self.active.iter().filter(|e| e.1 == ch).count()
    }

    /// Capacity and blending rules: may this agent be offered a contact of `ch` now?
    pub fn free_for(&self, ch: Channel) -> bool {
        if self.status != Status::Available || self.offer.is_some() || self.wrap_until.is_some() {
            return false;
        }
        let cap = usize::from(self.capacity.of(ch));
        if cap == 0 {
            return false;
        }
        match ch {
            Channel::Voice => self.active.is_empty(),
            _ => self.count(Channel::Voice) == 0 && self.count(ch) < cap,
        }
    }

    pub fn rr_pos(&self, q: QueueId) -> u64 {
        self.rr.iter().find(|e| e.0 == q).map_or(0, |e| e.1)
    }

    pub fn set_rr(&mut self, q: QueueId, pos: u64) {
        match self.rr.iter_mut().find(|e| e.0 == q) {
            Some(e) => e.1 = pos,
            None => self.rr.push((q, pos)),
        }
    }

    pub fn key(&self, q: QueueId, strategy: Strategy) -> AgentKey {
        match strategy {
            Strategy::LongestIdle | Strategy::BestSkill => (self.ready_since.0, 0, self.id),
            Strategy::LeastOccupied => (u64::from(self.handled_today), self.ready_since.0, self.id),
            Strategy::RoundRobin => (self.rr_pos(q), 0, self.id),
        }
    }

    pub fn view(&self) -> AgentView {
        AgentView {
            id: self.id,
            status: self.status.clone(),
            state: self.state(),
            active: self.active.iter().map(|e| e.0).collect(),
            offer: self.offer.map(|o| o.0),
            handled_today: self.handled_today,
            missed_in_a_row: self.missed,
            wrap_up_until: self.wrap_until,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CState {
    Waiting,
    Offered { offer: OfferId, agent: AgentId },
    Assigned { agent: AgentId },
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub spec: ContactSpec,
    /// Current queue (differs from `spec.queue` after an overflow).
    pub queue: QueueId,
    pub arrived: Time,
    /// Entry into the current queue: steps, overflow and max wait count from here.
    pub entered: Time,
    pub seq: u64,
    pub step: usize,
    /// Bumped whenever the contact's timers are replaced.
    pub epoch: u64,
    pub state: CState,
    /// Sticky agent and the end of its window.
    pub sticky: Option<(AgentId, Time)>,
    /// An overflow fell due while the contact was ringing.
    pub overflow_pending: bool,
    /// Queues the contact has been in, in order.
    pub path: Vec<QueueId>,
    /// When an offer of it was accepted.
    pub answered_at: Option<Time>,
}

#[derive(Debug, Clone)]
pub struct Queue {
    /// `steps` is never empty here.
    pub cfg: QueueConfig,
    pub rr_counter: u64,
    /// Contacts in the queue that are not assigned yet, by arrival.
    pub contacts: BTreeSet<(u64, ContactId)>,
    pub counters: QueueCounters,
}

impl Queue {
    pub fn step(&self, i: usize) -> RoutingStep {
        self.cfg.steps.get(i).cloned().unwrap_or_else(RoutingStep::any)
    }
}

/// Everything both matchers may read.
#[derive(Debug, Default)]
pub struct World {
    pub now: Time,
    pub agents: Map<AgentId, Agent>,
    pub contacts: Map<ContactId, Contact>,
    pub queues: Map<QueueId, Queue>,
    /// Logged-in member agents per queue.
    pub members: Map<QueueId, BTreeSet<AgentId>>,
    /// Waiting contacts inside the sticky window of an agent.
    pub sticky: Map<AgentId, BTreeSet<ContactId>>,
}

/// Effective priority of a waiting contact: higher is served first; ties by arrival.
pub type Prio = (i128, Reverse<u64>);

impl World {
    fn base(cfg: &QueueConfig, c: &Contact) -> i128 {
        (i128::from(c.spec.priority) + i128::from(c.spec.tier) * i128::from(cfg.vip_boost)) * 1000
    }

    /// `(base + tier * vip_boost) * 1000 + aging_per_sec * ms waited`, in milli-units.
    pub fn prio(&self, c: &Contact) -> Prio {
        let p = match self.queues.get(&c.queue) {
            Some(q) => {
                Self::base(&q.cfg, c) + i128::from(q.cfg.aging_per_sec) * i128::from(self.now.since(c.arrived))
            }
            None => 0,
        };
        (p, Reverse(c.seq))
    }

    pub fn order_key(&self, c: &Contact) -> OrderKey {
        match self.queues.get(&c.queue) {
            Some(q) => (i128::from(q.cfg.aging_per_sec) * i128::from(c.arrived.0) - Self::base(&q.cfg, c), c.seq),
            None => (0, c.seq),
        }
    }

    pub fn requirement(&self, c: &Contact) -> Requirement {
        let step = self.queues.get(&c.queue).map_or_else(RoutingStep::any, |q| q.step(c.step));
        Requirement::new(&c.spec.required, &step)
    }

    pub fn strategy(&self, q: QueueId) -> Strategy {
        self.queues.get(&q).map_or(Strategy::LongestIdle, |q| q.cfg.strategy)
    }

    /// The agent holding the contact's sticky window. The window ends when its
    /// timer fires (at `until`), or when that agent leaves the queue.
    pub fn sticky_agent(&self, c: &Contact) -> Option<AgentId> {
        c.sticky.map(|s| s.0)
    }

    /// May `a` take waiting contact `c` now, ignoring stickiness? (The sticky
    /// agent itself needs only capacity: see [`World::may_offer`].)
    pub fn eligible(&self, a: &Agent, c: &Contact, req: &Requirement) -> bool {
        a.free_for(c.spec.channel) && a.is_member(c.queue) && req.matches(&a.skills)
    }

    /// The full rule, stickiness included.
    pub fn may_offer(&self, a: &Agent, c: &Contact) -> bool {
        match self.sticky_agent(c) {
            Some(s) => s == a.id && a.free_for(c.spec.channel),
            None => self.eligible(a, c, &self.requirement(c)),
        }
    }

    pub fn logged_in_members(&self, q: QueueId) -> usize {
        self.members.get(&q).map_or(0, |m| m.len())
    }
}

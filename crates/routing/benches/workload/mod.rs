//! The routing benchmark workload, shared by `benches/routing.rs` (criterion)
//! and `examples/routing_load.rs` (load run with latency percentiles).
//!
//! Everything is deterministic: a seeded splitmix64 generator drives both the
//! population and the event stream, and the driver reacts only to the
//! router's outputs, so [`Engine`] and [`NaiveRouter`] (which make the same
//! decisions) see exactly the same inputs.
//!
//! # Population ([`Params::FULL`]: 10,000 agents, 50 skills, 10 queues, 100,000 waiting contacts)
//!
//! - **Skills**: the first fifth are *languages* (10), the rest *topics* (40);
//!   topic `t` belongs to queue `t % queues` (4 topics per queue).
//! - **Queues** (index `q` from 0, `QueueId(q + 1)`) mix every strategy (`q % 4`: LongestIdle, BestSkill,
//!   LeastOccupied, RoundRobin) and three kinds of routing steps (`q % 3`):
//!   own requirements for 30 s, relaxed by 2 for 60 s, then no contact skills;
//!   own requirements for 45 s then relaxed by 3; or a single step that adds
//!   "any topic of the queue" (`AnyOf`). Every queue ages contacts by 1/s
//!   (queues sharing agents with different aging rates starve each other, so
//!   the population would drift for thousands of simulated seconds) and
//!   boosts tiers; two have a 5 s wrap-up, two overflow to `QueueId(1)` after
//!   240 s, two give returning callers a 10 s sticky window. Offers ring 20 s,
//!   3 missed offers make an agent NotReady. No give-up: the driver alone
//!   decides when contacts leave, so the population stays stable.
//! - **Agents**: a home queue plus 0-2 more; one language at level 6-10 (40%
//!   the common language 0) and 30% a second one at 3-10; 1-3 topics of each
//!   of their queues plus 30% one random topic, levels 1-10; voice capacity 1,
//!   30% also chat capacity 2-3.
//! - **Contacts**: uniform queue, 85% voice / 15% chat, one language
//!   (min level 1, 3 or 5, same distribution as agents), 70% one topic of the
//!   queue (min level 1-6), priority 0-2, tier 0-2, 10% a last agent. Almost
//!   all are satisfiable by some member of their queue, and the relaxing steps
//!   of two queues in three make nearly all of the rest satisfiable.
//!
//! # Setup
//!
//! Queues are configured, all agents log in `Available`, then contacts arrive
//! every 4-11 ms (the steady-state pace, so that their ages, hence routing
//! steps and overflows, look like the steady state's); every offer is
//! accepted at once, so agents fill up (Busy) and, by work conservation,
//! later contacts wait. Arrivals continue until
//! `waiting` contacts are queued (ringing ones included). [`Sim::setup`]
//! checks that the router's `queue_stats(..).waiting` sum equals that number.
//!
//! # Steady state (the measured events)
//!
//! Time advances 1-4 ms per event. A ringing offer is answered first
//! (accepted, or 3% rejected); otherwise, below the target population a new
//! contact arrives; otherwise the driver draws: 2% a caller abandons, 1% an
//! agent goes NotReady, 2% a NotReady agent returns, 1% a bare `Tick`, and
//! else a random contact in progress finishes (which frees its agent, who is
//! offered the next contact, unless wrap-up delays that). So a typical cycle
//! is finish -> accept -> arrive, timers (step changes, overflows, sticky
//! windows, wrap-up ends, stale offer expiries) fire inside these events, and
//! the number of waiting contacts stays at the target.
//!
//! One measured event = `handle(now, input)` plus draining every output with
//! `poll_output()`; building the input and the driver's bookkeeping are not
//! measured.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::{Duration, Instant};

use hotline_routing::*;

/// splitmix64: tiny, seeded, good enough for workload generation.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// Gap between arrivals during setup, in ms (inclusive range). A steady-state
/// cycle (finish, accept, arrive, plus the occasional other event) takes about
/// 3.1 events of 1-4 ms, so contacts arrive every ~7.5 ms in steady state;
/// arriving at the same pace during setup gives the initial population the
/// ages (hence routing steps and overflows) of the steady state.
const SETUP_GAP_MS: (u64, u64) = (4, 11);

/// Size of the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub agents: u32,
    pub skills: u32,
    pub queues: u32,
    /// Contacts kept waiting (queued, not yet answered).
    pub waiting: usize,
    pub seed: u64,
}

impl Params {
    /// The size named by the requirement.
    pub const FULL: Params = Params { agents: 10_000, skills: 50, queues: 10, waiting: 100_000, seed: 0x5eed_ac0d };
    /// For test mode (`cargo test --all-targets` runs the bench binary once).
    pub const SMALL: Params = Params { agents: 200, skills: 50, queues: 10, waiting: 2_000, seed: 0x5eed_ac0d };
}

/// Skill layout: languages first, then topics, each topic owned by one queue.
#[derive(Debug, Clone, Copy)]
struct Layout {
    langs: u32,
    topics: u32,
    queues: u32,
}

impl Layout {
    fn new(p: &Params) -> Layout {
        let skills = p.skills.max(2);
        let langs = (skills / 5).max(1);
        Layout { langs, topics: skills - langs, queues: p.queues.max(1) }
    }

    /// Topics of queue index `qi` (0-based).
    fn queue_topics(&self, qi: u32) -> Vec<SkillId> {
        (0..self.topics).filter(|t| t % self.queues == qi).map(|t| SkillId(self.langs + t)).collect()
    }

    /// Language 0 is the common one (40%), the others are uniform.
    fn language(&self, rng: &mut Rng) -> SkillId {
        if rng.chance(400) {
            SkillId(0)
        } else {
            SkillId(rng.below(u64::from(self.langs)) as u32)
        }
    }

    fn random_topic(&self, rng: &mut Rng) -> SkillId {
        SkillId(self.langs + rng.below(u64::from(self.topics)) as u32)
    }
}

fn qid(qi: u32) -> QueueId {
    QueueId(qi + 1)
}

/// Configuration of queue index `qi`; see the module docs.
fn queue_config(l: &Layout, qi: u32) -> QueueConfig {
    let strategy = match qi % 4 {
        0 => Strategy::LongestIdle,
        1 => Strategy::BestSkill,
        2 => Strategy::LeastOccupied,
        _ => Strategy::RoundRobin,
    };
    let own = |timeout_ms| RoutingStep { timeout_ms, ..RoutingStep::any() };
    let steps = match qi % 3 {
        0 => vec![
            own(Some(30_000)),
            RoutingStep { relax_contact_levels: 2, ..own(Some(60_000)) },
            RoutingStep { drop_contact_skills: true, ..own(None) },
        ],
        1 => vec![own(Some(45_000)), RoutingStep { relax_contact_levels: 3, ..own(None) }],
        _ => {
            let topics = l.queue_topics(qi);
            let expr = if topics.is_empty() {
                SkillExpr::Any
            } else {
                SkillExpr::AnyOf(
                    topics.into_iter().map(|skill| SkillExpr::Skill(SkillReq { skill, min_level: 1 })).collect(),
                )
            };
            vec![RoutingStep { expr, ..own(None) }]
        }
    };
    let overflow =
        (qi % 5 == 4 && qi != 0).then(|| Overflow { target: qid(0), after_ms: Some(240_000), when_no_agents: false });
    QueueConfig {
        strategy,
        steps,
        offer_timeout_ms: 20_000,
        wrap_up_ms: if qi % 5 == 2 { 5_000 } else { 0 },
        max_missed_offers: 3,
        aging_per_sec: 1,
        vip_boost: 2,
        sticky_ms: if qi % 5 == 1 { 10_000 } else { 0 },
        overflow,
        ..QueueConfig::simple(qid(qi))
    }
}

fn agent_profile(l: &Layout, rng: &mut Rng, i: u32) -> AgentProfile {
    let mut queues = vec![i % l.queues];
    for _ in 0..rng.below(3) {
        let q = rng.below(u64::from(l.queues)) as u32;
        if !queues.contains(&q) {
            queues.push(q);
        }
    }
    let mut skills = vec![(l.language(rng), rng.range(6, 10) as u8)];
    if rng.chance(300) {
        skills.push((l.language(rng), rng.range(3, 10) as u8));
    }
    for &qi in &queues {
        let topics = l.queue_topics(qi);
        if topics.is_empty() {
            continue;
        }
        for _ in 0..rng.range(1, 3) {
            let t = topics[rng.below(topics.len() as u64) as usize];
            skills.push((t, rng.range(1, 10) as u8));
        }
    }
    if rng.chance(300) {
        skills.push((l.random_topic(rng), rng.range(1, 10) as u8));
    }
    let chat = if rng.chance(300) { rng.range(2, 3) as u8 } else { 0 };
    AgentProfile {
        skills,
        queues: queues.into_iter().map(qid).collect(),
        capacity: Capacity { voice: 1, chat, email: 0 },
    }
}

fn contact_spec(l: &Layout, rng: &mut Rng, id: u64, agents: u32) -> ContactSpec {
    let qi = rng.below(u64::from(l.queues)) as u32;
    let channel = if rng.chance(850) { Channel::Voice } else { Channel::Chat };
    let mut required = vec![SkillReq { skill: l.language(rng), min_level: [1, 3, 5][rng.below(3) as usize] }];
    let topics = l.queue_topics(qi);
    if !topics.is_empty() && rng.chance(700) {
        let skill = topics[rng.below(topics.len() as u64) as usize];
        required.push(SkillReq { skill, min_level: rng.range(1, 6) as u8 });
    }
    let priority = match rng.below(100) {
        0..=84 => 0,
        85..=94 => 1,
        _ => 2,
    };
    let tier = match rng.below(100) {
        0..=89 => 0,
        90..=97 => 1,
        _ => 2,
    };
    let last_agent = rng.chance(100).then(|| AgentId(1 + rng.below(u64::from(agents)) as u32));
    ContactSpec { id: ContactId(id), queue: qid(qi), channel, required, priority, tier, last_agent }
}

/// The API shared by [`Engine`] and [`NaiveRouter`].
pub trait Router {
    fn handle(&mut self, now: Time, input: Input);
    fn poll_output(&mut self) -> Option<Output>;
    fn queue_stats(&self, queue: QueueId, now: Time) -> Option<QueueStats>;
    fn contact_count(&self) -> usize;
}

macro_rules! router {
    ($t:ty) => {
        impl Router for $t {
            fn handle(&mut self, now: Time, input: Input) {
                <$t>::handle(self, now, input)
            }
            fn poll_output(&mut self) -> Option<Output> {
                <$t>::poll_output(self)
            }
            fn queue_stats(&self, queue: QueueId, now: Time) -> Option<QueueStats> {
                <$t>::queue_stats(self, queue, now)
            }
            fn contact_count(&self) -> usize {
                <$t>::contact_count(self)
            }
        }
    };
}
router!(Engine);
router!(NaiveRouter);

/// A set with O(1) insert, remove and uniform random pick.
#[derive(Debug)]
struct Bag<T> {
    items: Vec<T>,
    pos: HashMap<T, usize>,
}

impl<T: Copy + Eq + Hash> Bag<T> {
    fn new() -> Self {
        Bag { items: Vec::new(), pos: HashMap::new() }
    }
    fn len(&self) -> usize {
        self.items.len()
    }
    fn insert(&mut self, x: T) {
        if !self.pos.contains_key(&x) {
            self.pos.insert(x, self.items.len());
            self.items.push(x);
        }
    }
    fn remove(&mut self, x: T) {
        if let Some(i) = self.pos.remove(&x) {
            self.items.swap_remove(i);
            if let Some(&moved) = self.items.get(i) {
                self.pos.insert(moved, i);
            }
        }
    }
    fn pick(&self, rng: &mut Rng) -> Option<T> {
        (!self.items.is_empty()).then(|| self.items[rng.below(self.items.len() as u64) as usize])
    }
}

/// Inputs sent and notable outputs seen by a [`Sim`].
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub arrived: u64,
    pub finished: u64,
    pub accepted: u64,
    pub rejected_offers: u64,
    pub abandoned: u64,
    pub not_ready: u64,
    pub available: u64,
    pub ticks: u64,
    pub offers: u64,
    pub step_changes: u64,
    pub overflows: u64,
    pub timed_out: u64,
    pub outputs: u64,
    /// `Output::Rejected`: the driver sent an invalid input (should stay 0).
    pub refused: u64,
}

/// What [`Sim::setup`] built.
#[derive(Debug, Clone)]
pub struct SetupReport {
    pub elapsed: Duration,
    pub inputs: u64,
    /// Sum of `queue_stats(..).waiting` over all queues.
    pub waiting: usize,
    /// Contacts in progress (accepted, not finished).
    pub busy: usize,
    /// Contacts the router holds (waiting + ringing + in progress).
    pub contacts: usize,
    pub sim_time_ms: u64,
}

/// Latency figures of a run of measured events.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    pub events: usize,
    /// Sum of the per-event times.
    pub busy: Duration,
    pub p50_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
}

impl Figures {
    /// Figures of per-event latencies in nanoseconds.
    pub fn of(lat_ns: &[u64]) -> Figures {
        let mut v = lat_ns.to_vec();
        v.sort_unstable();
        let pct = |p: f64| -> f64 {
            if v.is_empty() {
                return 0.0;
            }
            let i = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
            v[i] as f64 / 1000.0
        };
        Figures {
            events: v.len(),
            busy: Duration::from_nanos(v.iter().sum()),
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            p999_us: pct(0.999),
            max_us: v.last().map_or(0.0, |&x| x as f64 / 1000.0),
        }
    }

    /// Figures per input kind, in order of total time spent, with each kind's share of it.
    pub fn by_kind(lat_ns: &[u64], kinds: &[&'static str]) -> Vec<(&'static str, Figures, f64)> {
        let mut groups: Vec<(&'static str, Vec<u64>)> = Vec::new();
        for (&ns, &k) in lat_ns.iter().zip(kinds) {
            match groups.iter_mut().find(|g| g.0 == k) {
                Some(g) => g.1.push(ns),
                None => groups.push((k, vec![ns])),
            }
        }
        let total: u64 = lat_ns.iter().sum();
        let mut v: Vec<(&'static str, Figures, f64)> = groups
            .into_iter()
            .map(|(k, l)| (k, Figures::of(&l), l.iter().sum::<u64>() as f64 / total.max(1) as f64))
            .collect();
        v.sort_by(|a, b| b.2.total_cmp(&a.2));
        v
    }

    /// Mean time per event in µs.
    pub fn mean_us(&self) -> f64 {
        self.busy.as_secs_f64() * 1e6 / self.events.max(1) as f64
    }

    /// Events per second of router time (one core).
    pub fn events_per_sec(&self) -> f64 {
        self.events as f64 / self.busy.as_secs_f64().max(1e-12)
    }
}

/// The driver: owns a router, generates inputs, tracks what the outputs say.
pub struct Sim<R> {
    pub router: R,
    pub params: Params,
    layout: Layout,
    rng: Rng,
    pub now: Time,
    next_contact: u64,
    /// Queued and not answered (ringing included).
    waiting: Bag<ContactId>,
    /// Accepted and not finished.
    busy: Bag<ContactId>,
    not_ready: Bag<AgentId>,
    /// Ringing offers, oldest first.
    pending: VecDeque<OfferId>,
    outs: Vec<Output>,
    pub counts: Counts,
    /// Per measured event: handle + drain time in ns.
    pub lat_ns: Vec<u64>,
    /// Per measured event: the input's name.
    pub kinds: Vec<&'static str>,
    /// Outputs of the first `record_limit` measured events, for cross-checking routers.
    pub record_limit: usize,
    pub recorded: Vec<Vec<Output>>,
    /// If set, the measured events' outputs are compared with these.
    pub expect: Option<Vec<Vec<Output>>>,
    pub mismatches: u64,
}

impl<R: Router> Sim<R> {
    pub fn new(router: R, params: Params) -> Sim<R> {
        Sim {
            router,
            params,
            layout: Layout::new(&params),
            rng: Rng::new(params.seed),
            now: Time(0),
            next_contact: 0,
            waiting: Bag::new(),
            busy: Bag::new(),
            not_ready: Bag::new(),
            pending: VecDeque::new(),
            outs: Vec::new(),
            counts: Counts::default(),
            lat_ns: Vec::new(),
            kinds: Vec::new(),
            record_limit: 0,
            recorded: Vec::new(),
            expect: None,
            mismatches: 0,
        }
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    pub fn busy(&self) -> usize {
        self.busy.len()
    }

    /// Sum of `queue_stats(..).waiting` as the router reports it.
    pub fn router_waiting(&self) -> usize {
        (0..self.layout.queues)
            .filter_map(|qi| self.router.queue_stats(qid(qi), self.now))
            .map(|s| s.waiting as usize)
            .sum()
    }

    fn new_contact(&mut self) -> Input {
        self.next_contact += 1;
        Input::ContactArrived(contact_spec(&self.layout, &mut self.rng, self.next_contact, self.params.agents))
    }

    /// Feeds one input, drains the outputs (both timed), then updates the
    /// driver's view from the outputs (not timed). Returns the timed part.
    fn apply(&mut self, input: Input) -> Duration {
        let start = Instant::now();
        self.router.handle(self.now, input);
        while let Some(o) = self.router.poll_output() {
            self.outs.push(o);
        }
        let elapsed = start.elapsed();
        self.absorb();
        elapsed
    }

    fn absorb(&mut self) {
        let c = &mut self.counts;
        c.outputs += self.outs.len() as u64;
        for o in &self.outs {
            match *o {
                Output::Queued { contact, .. } => self.waiting.insert(contact),
                Output::Offer { offer, .. } => {
                    c.offers += 1;
                    self.pending.push_back(offer);
                }
                Output::OfferEnded { offer, end, .. } => {
                    c.timed_out += u64::from(end == OfferEnd::TimedOut);
                    self.pending.retain(|&p| p != offer);
                }
                Output::Assigned { contact, .. } => {
                    self.waiting.remove(contact);
                    self.busy.insert(contact);
                }
                Output::Finished { contact, .. } => self.busy.remove(contact),
                Output::Abandoned { contact, .. } | Output::GaveUp { contact, .. } => self.waiting.remove(contact),
                Output::AgentChanged { agent, ref status, .. } => match status {
                    Status::NotReady { .. } => self.not_ready.insert(agent),
                    _ => self.not_ready.remove(agent),
                },
                Output::StepChanged { .. } => c.step_changes += 1,
                Output::Overflowed { .. } => c.overflows += 1,
                Output::Rejected { .. } => c.refused += 1,
            }
        }
    }

    /// Builds the population: queues, agents (all Available), then arrivals
    /// (every offer accepted at once) until `params.waiting` contacts wait.
    pub fn setup(&mut self) -> SetupReport {
        let start = Instant::now();
        let mut inputs = 0u64;
        for qi in 0..self.layout.queues {
            self.apply(Input::UpsertQueue(queue_config(&self.layout, qi)));
            inputs += 1;
        }
        for i in 0..self.params.agents {
            let profile = agent_profile(&self.layout, &mut self.rng, i);
            self.apply(Input::AgentLogin { agent: AgentId(i + 1), profile, status: Status::Available });
            inputs += 1;
        }
        self.outs.clear();
        while self.waiting.len() < self.params.waiting {
            self.now = self.now.plus(self.rng.range(SETUP_GAP_MS.0, SETUP_GAP_MS.1));
            let input = self.new_contact();
            self.apply(input);
            self.outs.clear();
            inputs += 1;
            while let Some(&o) = self.pending.front() {
                self.apply(Input::OfferAccepted(o));
                self.outs.clear();
                inputs += 1;
            }
        }
        let report = SetupReport {
            elapsed: start.elapsed(),
            inputs,
            waiting: self.router_waiting(),
            busy: self.busy.len(),
            contacts: self.router.contact_count(),
            sim_time_ms: self.now.0,
        };
        assert_eq!(report.waiting, self.waiting.len(), "router and driver disagree on waiting contacts");
        assert!(report.waiting >= self.params.waiting, "setup did not reach the waiting target");
        assert_eq!(report.contacts, report.waiting + report.busy, "router holds unexpected contacts");
        assert_eq!(self.counts.refused, 0, "the router refused setup inputs");
        // From here on, the counts describe the measured events only.
        self.counts = Counts::default();
        report
    }

    /// The next steady-state input; see the module docs for the mix.
    fn next_input(&mut self) -> Input {
        let c = &mut self.counts;
        if let Some(&o) = self.pending.front() {
            return if self.rng.chance(30) {
                c.rejected_offers += 1;
                Input::OfferRejected(o)
            } else {
                c.accepted += 1;
                Input::OfferAccepted(o)
            };
        }
        if self.waiting.len() < self.params.waiting {
            c.arrived += 1;
            return self.new_contact();
        }
        let r = self.rng.below(1000);
        if r < 20 {
            if let Some(x) = self.waiting.pick(&mut self.rng) {
                c.abandoned += 1;
                return Input::ContactAbandoned(x);
            }
        } else if r < 30 {
            c.not_ready += 1;
            let agent = AgentId(1 + self.rng.below(u64::from(self.params.agents)) as u32);
            return Input::SetStatus { agent, status: Status::NotReady { reason: "break".to_owned() } };
        } else if r < 50 {
            if let Some(agent) = self.not_ready.pick(&mut self.rng) {
                c.available += 1;
                return Input::SetStatus { agent, status: Status::Available };
            }
        } else if r < 60 {
            c.ticks += 1;
            return Input::Tick;
        }
        match self.busy.pick(&mut self.rng) {
            Some(x) => {
                c.finished += 1;
                Input::ContactFinished(x)
            }
            None => {
                c.ticks += 1;
                Input::Tick
            }
        }
    }

    /// One measured steady-state event; returns its handle + drain time.
    pub fn step(&mut self) -> Duration {
        self.now = self.now.plus(self.rng.range(1, 4));
        let input = self.next_input();
        self.kinds.push(input.name());
        let elapsed = self.apply(input);
        let i = self.lat_ns.len();
        if i < self.record_limit {
            self.recorded.push(self.outs.clone());
        }
        if let Some(e) = self.expect.as_ref().and_then(|e| e.get(i)) {
            self.mismatches += u64::from(*e != self.outs);
        }
        self.outs.clear();
        self.lat_ns.push(elapsed.as_nanos() as u64);
        elapsed
    }

    /// `n` measured events; returns the sum of their times (for `iter_custom`).
    pub fn run(&mut self, n: u64) -> Duration {
        (0..n).map(|_| self.step()).sum()
    }
}

//! The event logic shared by [`crate::Engine`] and [`crate::NaiveRouter`]:
//! one handler per input. Queue entry, offers, matching and timers are in
//! `flow.rs`.

use std::collections::VecDeque;

use crate::matcher::Matcher;
use crate::skills::{expr_depth, MAX_EXPR_DEPTH};
use crate::timers::{Timer, Timers};
use crate::types::*;
use crate::world::{Agent, CState, Contact, Map, Queue, World};

#[derive(Debug, Clone, Copy)]
pub struct OfferRec {
    pub contact: ContactId,
    pub agent: AgentId,
    pub queue: QueueId,
    pub channel: Channel,
    pub expires_at: Time,
}

#[derive(Debug, Default)]
pub struct Core<M> {
    pub w: World,
    pub m: M,
    pub timers: Timers,
    pub out: VecDeque<Output>,
    pub offers: Map<OfferId, OfferRec>,
    /// Last issued offer number (offers are numbered from 1).
    pub last_offer: u64,
    pub seq: u64,
    /// When set, every offer is checked against the FIFO and capacity rules.
    pub checking: bool,
    pub violations: Vec<String>,
}

pub type Sig = Option<(Status, AgentState)>;

impl<M: Matcher> Core<M> {
    pub fn handle(&mut self, now: Time, input: Input) {
        let now = now.max(self.w.now);
        self.run_timers(now);
        self.w.now = now;
        let name = input.name();
        match input {
            Input::UpsertQueue(cfg) => self.upsert_queue(cfg),
            Input::ContactArrived(spec) => self.arrive(spec),
            Input::ContactAbandoned(c) => self.abandon(c),
            Input::AgentLogin { agent, profile, status } => self.login(agent, profile, status),
            Input::AgentLogout(a) => self.logout(a, name),
            Input::AgentUpdate { agent, profile } => self.update_agent(agent, profile),
            Input::SetStatus { agent, status } => self.set_status(agent, status),
            Input::OfferAccepted(o) => self.accept(o),
            Input::OfferRejected(o) => match self.offers.contains_key(&o) {
                true => self.miss(o, OfferEnd::Rejected),
                false => self.reject_offer_input(name, o),
            },
            Input::ContactFinished(c) => self.finish(c),
            Input::EndWrapUp(a) => match self.w.agents.get(&a).map(|x| x.wrap_until.is_some()) {
                None => self.reject(name, RejectReason::UnknownAgent),
                Some(false) => self.reject(name, RejectReason::NotInWrapUp),
                Some(true) => self.end_wrap_up(a),
            },
            Input::ResetDailyCounters => self.reset_daily(),
            Input::Tick => {}
        }
        self.run_timers(now);
    }

    pub fn reject(&mut self, input: &'static str, reason: RejectReason) {
        self.out.push_back(Output::Rejected { input, reason });
    }

    fn reject_offer_input(&mut self, name: &'static str, o: OfferId) {
        let reason = if o.0 >= 1 && o.0 <= self.last_offer { RejectReason::StaleOffer } else { RejectReason::UnknownOffer };
        self.reject(name, reason);
    }

    pub fn sig(&self, a: AgentId) -> Sig {
        self.w.agents.get(&a).map(|x| (x.status.clone(), x.state()))
    }

    /// Emits `AgentChanged` if status or state differ from `before`, and re-files the agent.
    pub fn agent_changed(&mut self, a: AgentId, before: Sig) {
        let after = self.sig(a);
        if after != before {
            if let Some((status, state)) = after {
                self.out.push_back(Output::AgentChanged { agent: a, status, state });
            }
        }
        self.m.sync_agent(&self.w, a);
    }

    fn upsert_queue(&mut self, mut cfg: QueueConfig) {
        if cfg.steps.iter().any(|s| expr_depth(&s.expr) > MAX_EXPR_DEPTH) {
            return self.reject("UpsertQueue", RejectReason::InvalidConfig);
        }
        if cfg.steps.is_empty() {
            cfg.steps.push(RoutingStep::any());
        }
        let q = cfg.id;
        let Some(queue) = self.w.queues.get_mut(&q) else {
            let queue = Queue { cfg, rr_counter: 0, contacts: Default::default(), counters: Default::default() };
            self.w.queues.insert(q, queue);
            let members: Vec<AgentId> = self.w.members.get(&q).into_iter().flatten().copied().collect();
            for a in members {
                self.m.sync_agent(&self.w, a);
            }
            return;
        };
        let last = cfg.steps.len() - 1;
        queue.cfg = cfg;
        let ids: Vec<ContactId> = queue.contacts.iter().map(|e| e.1).collect();
        // Re-file every contact of the queue under the new configuration.
        // Unfile all first: class keys name the step by index, so a class must
        // not outlive the configuration it was built from.
        for &c in &ids {
            self.wait_remove(c);
        }
        for &c in &ids {
            if let Some(contact) = self.w.contacts.get_mut(&c) {
                contact.step = contact.step.min(last);
                contact.epoch += 1;
            }
            self.schedule_contact_timers(c);
            if self.w.contacts.get(&c).is_some_and(|x| x.state == CState::Waiting) {
                self.wait_insert(c);
            }
        }
        let members: Vec<AgentId> = self.w.members.get(&q).into_iter().flatten().copied().collect();
        for a in members {
            self.m.sync_agent(&self.w, a);
        }
        let mut woken = ids;
        self.overflow_if_no_agents(q, &mut woken);
        self.rematch(woken, Vec::new());
    }

    fn arrive(&mut self, spec: ContactSpec) {
        if self.w.contacts.contains_key(&spec.id) {
            return self.reject("ContactArrived", RejectReason::DuplicateContact);
        }
        if !self.w.queues.contains_key(&spec.queue) {
            return self.reject("ContactArrived", RejectReason::UnknownQueue);
        }
        self.seq += 1;
        let (c, q) = (spec.id, spec.queue);
        let contact = Contact {
            spec,
            queue: q,
            arrived: self.w.now,
            entered: self.w.now,
            seq: self.seq,
            step: 0,
            epoch: 0,
            state: CState::Waiting,
            sticky: None,
            overflow_pending: false,
            path: Vec::new(),
            answered_at: None,
        };
        self.w.contacts.insert(c, contact);
        self.out.push_back(Output::Queued { contact: c, queue: q });
        let mut woken = Vec::new();
        self.enter_queue(c, q, &mut woken);
        self.rematch(woken, Vec::new());
    }

    fn abandon(&mut self, c: ContactId) {
        let Some(contact) = self.w.contacts.get(&c) else {
            return self.reject("ContactAbandoned", RejectReason::UnknownContact);
        };
        let mut freed = Vec::new();
        match contact.state {
            CState::Assigned { .. } => return self.reject("ContactAbandoned", RejectReason::ContactAlreadyAssigned),
            CState::Waiting => self.wait_remove(c),
            CState::Offered { offer, agent } => {
                self.rescind(offer);
                freed.push(agent);
            }
        }
        if let Some((q, waited)) = self.leave_queue(c, true) {
            self.out.push_back(Output::Abandoned { contact: c, queue: q, waited_ms: waited });
        }
        self.rematch(Vec::new(), freed);
    }

    fn login(&mut self, a: AgentId, profile: AgentProfile, status: Status) {
        if self.w.agents.contains_key(&a) {
            return self.reject("AgentLogin", RejectReason::AlreadyLoggedIn);
        }
        if status == Status::LoggedOut {
            return self.reject("AgentLogin", RejectReason::InvalidStatus);
        }
        let agent = Agent::new(a, &profile, status, self.w.now);
        for &q in &agent.queues {
            self.w.members.entry(q).or_default().insert(a);
        }
        self.w.agents.insert(a, agent);
        self.agent_changed(a, None);
        self.rematch(Vec::new(), vec![a]);
    }

    fn logout(&mut self, a: AgentId, name: &'static str) {
        let Some(agent) = self.w.agents.get(&a) else {
            return self.reject(name, RejectReason::UnknownAgent);
        };
        let offer = agent.offer.map(|o| o.0);
        let queues = agent.queues.clone();
        for &q in &queues {
            if let Some(m) = self.w.members.get_mut(&q) {
                m.remove(&a);
                if m.is_empty() {
                    self.w.members.remove(&q);
                }
            }
        }
        let Some(agent) = self.w.agents.remove(&a) else { return };
        let mut woken = Vec::new();
        if let Some(o) = offer {
            if let Some(rec) = self.rescind(o) {
                self.return_to_queue(rec.contact, &mut woken);
            }
        }
        for &(c, _) in &agent.active {
            self.w.contacts.remove(&c);
            self.out.push_back(Output::Finished { contact: c, agent: a });
        }
        self.out.push_back(Output::AgentChanged { agent: a, status: Status::LoggedOut, state: AgentState::Idle });
        self.m.sync_agent(&self.w, a);
        self.release_sticky(a, |_| true, &mut woken);
        for &q in &queues {
            self.overflow_if_no_agents(q, &mut woken);
        }
        self.rematch(woken, Vec::new());
    }

    fn update_agent(&mut self, a: AgentId, profile: AgentProfile) {
        let before = self.sig(a);
        let Some(agent) = self.w.agents.get_mut(&a) else {
            return self.reject("AgentUpdate", RejectReason::UnknownAgent);
        };
        let old = std::mem::take(&mut agent.queues);
        agent.set_profile(&profile);
        let new = agent.queues.clone();
        let left: Vec<QueueId> = old.iter().copied().filter(|q| new.binary_search(q).is_err()).collect();
        for &q in &left {
            if let Some(m) = self.w.members.get_mut(&q) {
                m.remove(&a);
                if m.is_empty() {
                    self.w.members.remove(&q);
                }
            }
        }
        for &q in &new {
            self.w.members.entry(q).or_default().insert(a);
        }
        self.agent_changed(a, before);
        let mut woken = Vec::new();
        let contacts = &self.w.contacts;
        let in_left = |c: ContactId| contacts.get(&c).is_some_and(|x| left.contains(&x.queue));
        let release: Vec<ContactId> =
            self.w.sticky.get(&a).into_iter().flatten().copied().filter(|&c| in_left(c)).collect();
        self.release_sticky(a, |c| release.contains(&c), &mut woken);
        for &q in &left {
            self.overflow_if_no_agents(q, &mut woken);
        }
        self.rematch(woken, vec![a]);
    }

    fn set_status(&mut self, a: AgentId, status: Status) {
        if status == Status::LoggedOut {
            return self.logout(a, "SetStatus");
        }
        let before = self.sig(a);
        let now = self.w.now;
        let Some(agent) = self.w.agents.get_mut(&a) else {
            return self.reject("SetStatus", RejectReason::UnknownAgent);
        };
        let ready = status == Status::Available;
        if ready && agent.status != Status::Available {
            agent.ready_since = now;
            agent.missed = 0;
        }
        agent.status = status;
        self.agent_changed(a, before);
        if ready {
            self.rematch(Vec::new(), vec![a]);
        }
    }

    fn accept(&mut self, o: OfferId) {
        let Some(rec) = self.offers.remove(&o) else {
            return self.reject_offer_input("OfferAccepted", o);
        };
        let now = self.w.now;
        let before = self.sig(rec.agent);
        self.out.push_back(Output::OfferEnded { offer: o, contact: rec.contact, agent: rec.agent, end: OfferEnd::Accepted });
        let mut waited = 0;
        if let Some(contact) = self.w.contacts.get_mut(&rec.contact) {
            contact.state = CState::Assigned { agent: rec.agent };
            contact.sticky = None;
            contact.answered_at = Some(now);
            waited = now.since(contact.arrived);
            let key = (contact.seq, contact.spec.id);
            if let Some(queue) = self.w.queues.get_mut(&contact.queue) {
                queue.contacts.remove(&key);
                let cfg = &queue.cfg;
                queue.counters.answered(now, waited, cfg.service_level_ms, cfg.service_level_window_ms);
            }
        }
        if let Some(agent) = self.w.agents.get_mut(&rec.agent) {
            agent.offer = None;
            agent.active.push((rec.contact, rec.channel));
            agent.missed = 0;
            agent.handled_today = agent.handled_today.saturating_add(1);
            agent.ready_since = now;
        }
        let assigned = Output::Assigned { contact: rec.contact, agent: rec.agent, queue: rec.queue, waited_ms: waited };
        self.out.push_back(assigned);
        self.agent_changed(rec.agent, before);
        self.rematch(Vec::new(), vec![rec.agent]);
    }

    fn finish(&mut self, c: ContactId) {
        let Some(contact) = self.w.contacts.get(&c) else {
            return self.reject("ContactFinished", RejectReason::UnknownContact);
        };
        let CState::Assigned { agent: a } = contact.state else {
            return self.reject("ContactFinished", RejectReason::ContactNotAssigned);
        };
        let wrap = self.w.queues.get(&contact.queue).map_or(0, |q| q.cfg.wrap_up_ms);
        let handled_ms = contact.answered_at.map(|t| self.w.now.since(t));
        if let (Some(ms), Some(queue)) = (handled_ms, self.w.queues.get_mut(&contact.queue)) {
            queue.counters.handled(ms);
        }
        self.w.contacts.remove(&c);
        self.out.push_back(Output::Finished { contact: c, agent: a });
        let before = self.sig(a);
        let now = self.w.now;
        let Some(agent) = self.w.agents.get_mut(&a) else { return };
        agent.active.retain(|e| e.0 != c);
        agent.ready_since = now;
        if wrap > 0 {
            let until = agent.wrap_until.map_or(now.plus(wrap), |u| u.max(now.plus(wrap)));
            agent.wrap_until = Some(until);
            agent.wrap_epoch += 1;
            let epoch = agent.wrap_epoch;
            self.timers.add(until, Timer::WrapUpEnd { agent: a, epoch });
        }
        self.agent_changed(a, before);
        self.rematch(Vec::new(), vec![a]);
    }

    pub fn end_wrap_up(&mut self, a: AgentId) {
        let before = self.sig(a);
        let now = self.w.now;
        let Some(agent) = self.w.agents.get_mut(&a) else { return };
        agent.wrap_until = None;
        agent.ready_since = now;
        self.agent_changed(a, before);
        self.rematch(Vec::new(), vec![a]);
    }

    fn reset_daily(&mut self) {
        let mut ids: Vec<AgentId> = self.w.agents.keys().copied().collect();
        ids.sort();
        for a in ids {
            if let Some(agent) = self.w.agents.get_mut(&a) {
                agent.handled_today = 0;
            }
            self.m.sync_agent(&self.w, a);
        }
    }
}

//! Queue entry, overflow, offers, matching and timers (the parts of the event
//! logic shared by several inputs).

use crate::core::{Core, OfferRec};
use crate::matcher::Matcher;
use crate::timers::Timer;
use crate::types::*;
use crate::world::{CState, Prio};

/// A contact overflows at most this many times (guards against overflow cycles).
pub const MAX_OVERFLOWS: usize = 16;

fn step_deadline(steps: &[RoutingStep], entered: Time, step: usize) -> Option<Time> {
    if step + 1 >= steps.len() {
        return None;
    }
    steps.get(step)?.timeout_ms?;
    let total = steps.iter().take(step + 1).fold(0u64, |acc, s| acc.saturating_add(s.timeout_ms.unwrap_or(0)));
    Some(entered.plus(total))
}

impl<M: Matcher> Core<M> {
    fn is_member(&self, a: AgentId, q: QueueId) -> bool {
        self.w.members.get(&q).is_some_and(|m| m.contains(&a))
    }

    fn is_waiting(&self, c: ContactId) -> bool {
        self.w.contacts.get(&c).is_some_and(|x| x.state == CState::Waiting)
    }

    /// Puts contact `c` (already in the world) into queue `q` as a new entry:
    /// step 0, fresh timers, sticky window, immediate overflow if no agent is
    /// logged in; otherwise it joins the waiting sets and is added to `woken`.
    pub fn enter_queue(&mut self, c: ContactId, q: QueueId, woken: &mut Vec<ContactId>) {
        let now = self.w.now;
        let Some(queue) = self.w.queues.get(&q) else { return };
        let sticky_ms = queue.cfg.sticky_ms;
        let Some(contact) = self.w.contacts.get(&c) else { return };
        let until = contact.arrived.plus(sticky_ms);
        let sticky = contact
            .spec
            .last_agent
            .filter(|&a| sticky_ms > 0 && now < until && self.is_member(a, q))
            .map(|a| (a, until));
        let Some(contact) = self.w.contacts.get_mut(&c) else { return };
        contact.queue = q;
        contact.entered = now;
        contact.step = 0;
        contact.epoch += 1;
        contact.overflow_pending = false;
        contact.path.push(q);
        contact.state = CState::Waiting;
        contact.sticky = sticky;
        let key = (contact.seq, c);
        if let Some(queue) = self.w.queues.get_mut(&q) {
            queue.contacts.insert(key);
            queue.counters.offered += 1;
        }
        self.schedule_contact_timers(c);
        if let Some(target) = self.overflow_target(c, true) {
            return self.overflow(c, target, woken);
        }
        self.wait_insert(c);
        woken.push(c);
    }

    /// Where contact `c` may overflow now: by the no-agents rule (`no_agents`)
    /// or by time.
    fn overflow_target(&self, c: ContactId, no_agents: bool) -> Option<QueueId> {
        let contact = self.w.contacts.get(&c)?;
        let q = contact.queue;
        let o = self.w.queues.get(&q)?.cfg.overflow.as_ref()?;
        let ok = o.target != q && self.w.queues.contains_key(&o.target) && contact.path.len() <= MAX_OVERFLOWS;
        let rule = if no_agents {
            o.when_no_agents && self.w.logged_in_members(q) == 0 && !contact.path.contains(&o.target)
        } else {
            o.after_ms.is_some()
        };
        (ok && rule).then_some(o.target)
    }

    fn overflow(&mut self, c: ContactId, to: QueueId, woken: &mut Vec<ContactId>) {
        self.wait_remove(c);
        let Some(contact) = self.w.contacts.get(&c) else { return };
        let (from, key) = (contact.queue, (contact.seq, c));
        if let Some(queue) = self.w.queues.get_mut(&from) {
            queue.contacts.remove(&key);
        }
        self.out.push_back(Output::Overflowed { contact: c, from, to });
        self.enter_queue(c, to, woken);
    }

    /// The no-agents overflow rule, for every waiting contact of `q`, best first.
    pub fn overflow_if_no_agents(&mut self, q: QueueId, woken: &mut Vec<ContactId>) {
        let Some(queue) = self.w.queues.get(&q) else { return };
        if !queue.cfg.overflow.as_ref().is_some_and(|o| o.when_no_agents) || self.w.logged_in_members(q) > 0 {
            return;
        }
        let mut ids: Vec<(Prio, ContactId)> = queue
            .contacts
            .iter()
            .filter_map(|&(_, c)| self.w.contacts.get(&c))
            .filter(|x| x.state == CState::Waiting)
            .map(|x| (self.w.prio(x), x.spec.id))
            .collect();
        ids.sort_by_key(|e| std::cmp::Reverse(e.0));
        for (_, c) in ids {
            if let Some(t) = self.overflow_target(c, true) {
                self.overflow(c, t, woken);
            }
        }
    }

    /// Marks `c` waiting and files it (sticky set of its agent, or the matcher).
    pub fn wait_insert(&mut self, c: ContactId) {
        let Some(contact) = self.w.contacts.get(&c) else { return };
        let sticky = contact.sticky.map(|s| s.0).filter(|&a| self.is_member(a, contact.queue));
        let Some(contact) = self.w.contacts.get_mut(&c) else { return };
        contact.state = CState::Waiting;
        if sticky.is_none() {
            contact.sticky = None;
        }
        match sticky {
            Some(a) => {
                self.w.sticky.entry(a).or_default().insert(c);
            }
            None => self.m.insert_waiting(&self.w, c),
        }
    }

    /// Unfiles `c` from the waiting sets (no-op if it is not filed).
    pub fn wait_remove(&mut self, c: ContactId) {
        let Some(contact) = self.w.contacts.get(&c) else { return };
        if let Some((a, _)) = contact.sticky {
            if let Some(set) = self.w.sticky.get_mut(&a) {
                set.remove(&c);
                if set.is_empty() {
                    self.w.sticky.remove(&a);
                }
            }
        }
        self.m.remove_waiting(&self.w, c);
    }

    /// A contact whose offer ended without an answer goes back to its place.
    pub fn return_to_queue(&mut self, c: ContactId, woken: &mut Vec<ContactId>) {
        let Some(contact) = self.w.contacts.get_mut(&c) else { return };
        contact.state = CState::Waiting;
        if std::mem::take(&mut contact.overflow_pending) {
            if let Some(t) = self.overflow_target(c, false) {
                return self.overflow(c, t, woken);
            }
        }
        self.wait_insert(c);
        woken.push(c);
    }

    /// Ends the sticky window of agent `a`'s waiting contacts selected by `pick`.
    pub fn release_sticky(&mut self, a: AgentId, pick: impl Fn(ContactId) -> bool, woken: &mut Vec<ContactId>) {
        let ids: Vec<ContactId> = self.w.sticky.get(&a).into_iter().flatten().copied().filter(|&c| pick(c)).collect();
        for c in ids {
            self.wait_remove(c);
            if let Some(contact) = self.w.contacts.get_mut(&c) {
                contact.sticky = None;
            }
            if self.is_waiting(c) {
                self.wait_insert(c);
                woken.push(c);
            }
        }
    }

    /// Removes a contact that leaves unanswered; returns its queue and wait.
    pub fn leave_queue(&mut self, c: ContactId, abandoned: bool) -> Option<(QueueId, u64)> {
        let now = self.w.now;
        let contact = self.w.contacts.remove(&c)?;
        let waited = now.since(contact.arrived);
        if let Some(queue) = self.w.queues.get_mut(&contact.queue) {
            queue.contacts.remove(&(contact.seq, c));
            let cfg = &queue.cfg;
            queue.counters.abandoned(now, waited, cfg.service_level_ms, cfg.service_level_window_ms, abandoned);
        }
        Some((contact.queue, waited))
    }

    /// Withdraws a pending offer and frees its agent; the caller decides what
    /// happens to the contact.
    pub fn rescind(&mut self, o: OfferId) -> Option<OfferRec> {
        let rec = self.offers.remove(&o)?;
        self.out.push_back(Output::OfferEnded { offer: o, contact: rec.contact, agent: rec.agent, end: OfferEnd::Rescinded });
        let before = self.sig(rec.agent);
        if let Some(agent) = self.w.agents.get_mut(&rec.agent) {
            agent.offer = None;
        }
        self.agent_changed(rec.agent, before);
        Some(rec)
    }

    /// An offer was rejected or timed out: a missed offer.
    pub fn miss(&mut self, o: OfferId, end: OfferEnd) {
        let Some(rec) = self.offers.remove(&o) else { return };
        self.out.push_back(Output::OfferEnded { offer: o, contact: rec.contact, agent: rec.agent, end });
        let now = self.w.now;
        let max = self.w.queues.get(&rec.queue).map_or(0, |q| q.cfg.max_missed_offers);
        let before = self.sig(rec.agent);
        if let Some(agent) = self.w.agents.get_mut(&rec.agent) {
            agent.offer = None;
            agent.missed = agent.missed.saturating_add(1);
            agent.ready_since = now;
            if max > 0 && agent.missed >= max && agent.status == Status::Available {
                agent.status = Status::NotReady { reason: "missed".to_owned() };
            }
        }
        self.agent_changed(rec.agent, before);
        let mut woken = Vec::new();
        self.return_to_queue(rec.contact, &mut woken);
        self.rematch(woken, vec![rec.agent]);
    }

    fn offer(&mut self, c: ContactId, a: AgentId) {
        let Some(contact) = self.w.contacts.get(&c) else { return };
        let (q, ch) = (contact.queue, contact.spec.channel);
        let Some(queue) = self.w.queues.get_mut(&q) else { return };
        queue.rr_counter += 1;
        let (rr, timeout) = (queue.rr_counter, queue.cfg.offer_timeout_ms.max(1));
        self.wait_remove(c);
        self.last_offer += 1;
        let id = OfferId(self.last_offer);
        let expires_at = self.w.now.plus(timeout);
        let before = self.sig(a);
        if let Some(contact) = self.w.contacts.get_mut(&c) {
            contact.state = CState::Offered { offer: id, agent: a };
        }
        if let Some(agent) = self.w.agents.get_mut(&a) {
            agent.set_rr(q, rr);
            agent.offer = Some((id, ch));
        }
        self.offers.insert(id, OfferRec { contact: c, agent: a, queue: q, channel: ch, expires_at });
        self.timers.add(expires_at, Timer::OfferExpiry(id));
        self.out.push_back(Output::Offer { offer: id, contact: c, agent: a, queue: q, expires_at });
        self.agent_changed(a, before);
        if self.checking {
            self.check_offer(c, a);
        }
    }

    /// Best agent for waiting contact `c` (its sticky agent only, during the window).
    pub fn best_agent(&self, c: ContactId) -> Option<AgentId> {
        let contact = self.w.contacts.get(&c).filter(|x| x.state == CState::Waiting)?;
        match contact.sticky {
            Some((s, _)) => self.w.agents.get(&s).filter(|x| x.free_for(contact.spec.channel)).map(|_| s),
            None => self.m.best_agent(&self.w, c),
        }
    }

    /// Highest-priority waiting contact agent `a` may take, sticky ones included.
    pub fn best_contact(&self, a: AgentId) -> Option<ContactId> {
        let agent = self.w.agents.get(&a)?;
        let mut best = self.m.best_contact(&self.w, a).and_then(|c| self.w.contacts.get(&c)).map(|x| (self.w.prio(x), x.spec.id));
        for c in self.w.sticky.get(&a).into_iter().flatten() {
            let Some(x) = self.w.contacts.get(c) else { continue };
            if x.state == CState::Waiting && agent.free_for(x.spec.channel) {
                let p = self.w.prio(x);
                if best.as_ref().is_none_or(|b| p > b.0) {
                    best = Some((p, *c));
                }
            }
        }
        best.map(|b| b.1)
    }

    /// Makes offers after an event that made `contacts` waitable and freed
    /// `agents`: repeatedly, the highest-priority contact that has an eligible
    /// free agent goes to its best agent. Since every earlier event ended with
    /// no possible pair, only pairs involving these contacts or agents exist.
    pub fn rematch(&mut self, contacts: Vec<ContactId>, agents: Vec<AgentId>) {
        let mut cs: Vec<(Prio, ContactId)> =
            contacts.into_iter().filter_map(|c| self.w.contacts.get(&c)).map(|x| (self.w.prio(x), x.spec.id)).collect();
        cs.sort_by_key(|e| std::cmp::Reverse(e.0));
        cs.dedup_by_key(|e| e.1);
        let mut i = 0;
        loop {
            let mut from_contacts = None;
            while let Some(&(p, c)) = cs.get(i) {
                if let Some(a) = self.best_agent(c) {
                    from_contacts = Some((p, c, a));
                    break;
                }
                i += 1;
            }
            let mut from_agents: Option<(Prio, ContactId)> = None;
            for &a in &agents {
                if let Some(x) = self.best_contact(a).and_then(|c| self.w.contacts.get(&c)) {
                    let p = self.w.prio(x);
                    if from_agents.as_ref().is_none_or(|b| p > b.0) {
                        from_agents = Some((p, x.spec.id));
                    }
                }
            }
            let (c, a) = match (from_contacts, from_agents) {
                (None, None) => break,
                (Some((pc, c, a)), f) if f.as_ref().is_none_or(|f| f.0 <= pc) => (c, a),
                (_, Some((_, c))) => match self.best_agent(c) {
                    Some(a) => (c, a),
                    None => break,
                },
                (Some(_), None) => break,
            };
            self.offer(c, a);
        }
    }

    pub fn schedule_contact_timers(&mut self, c: ContactId) {
        let Some(contact) = self.w.contacts.get(&c) else { return };
        let Some(queue) = self.w.queues.get(&contact.queue) else { return };
        let (e, entered, cfg) = (contact.epoch, contact.entered, &queue.cfg);
        let mut add = Vec::new();
        if let Some(at) = step_deadline(&cfg.steps, entered, contact.step) {
            add.push((at, Timer::Step { contact: c, epoch: e }));
        }
        if let Some(ms) = cfg.overflow.as_ref().and_then(|o| o.after_ms) {
            add.push((entered.plus(ms), Timer::Overflow { contact: c, epoch: e }));
        }
        if let Some(ms) = cfg.max_wait_ms {
            add.push((entered.plus(ms), Timer::MaxWait { contact: c, epoch: e }));
        }
        if let Some((_, until)) = contact.sticky {
            add.push((until, Timer::StickyEnd { contact: c, epoch: e }));
        }
        for (at, t) in add {
            self.timers.add(at, t);
        }
    }

    pub fn run_timers(&mut self, now: Time) {
        while let Some((at, timer)) = self.timers.pop_due(now) {
            self.w.now = self.w.now.max(at);
            self.fire(timer);
        }
    }

    fn live(&self, c: ContactId, epoch: u64) -> Option<CState> {
        let x = self.w.contacts.get(&c)?;
        (x.epoch == epoch && !matches!(x.state, CState::Assigned { .. })).then_some(x.state)
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::OfferExpiry(o) => self.miss(o, OfferEnd::TimedOut),
            Timer::WrapUpEnd { agent, epoch } => {
                if self.w.agents.get(&agent).is_some_and(|x| x.wrap_epoch == epoch && x.wrap_until.is_some()) {
                    self.end_wrap_up(agent);
                }
            }
            Timer::Step { contact, epoch } => {
                if let Some(state) = self.live(contact, epoch) {
                    self.next_step(contact, state == CState::Waiting);
                }
            }
            Timer::Overflow { contact, epoch } => match self.live(contact, epoch) {
                Some(CState::Waiting) => {
                    if let Some(t) = self.overflow_target(contact, false) {
                        let mut woken = Vec::new();
                        self.overflow(contact, t, &mut woken);
                        self.rematch(woken, Vec::new());
                    }
                }
                Some(_) => {
                    if let Some(x) = self.w.contacts.get_mut(&contact) {
                        x.overflow_pending = true;
                    }
                }
                None => {}
            },
            Timer::MaxWait { contact, epoch } => {
                if let Some(state) = self.live(contact, epoch) {
                    self.give_up(contact, state);
                }
            }
            Timer::StickyEnd { contact, epoch } => {
                let Some(state) = self.live(contact, epoch) else { return };
                let waiting = state == CState::Waiting;
                if waiting {
                    self.wait_remove(contact);
                }
                if let Some(x) = self.w.contacts.get_mut(&contact) {
                    x.sticky = None;
                }
                if waiting {
                    self.wait_insert(contact);
                    self.rematch(vec![contact], Vec::new());
                }
            }
        }
    }

    fn next_step(&mut self, c: ContactId, waiting: bool) {
        let Some(contact) = self.w.contacts.get(&c) else { return };
        let Some(queue) = self.w.queues.get(&contact.queue) else { return };
        if contact.step + 1 >= queue.cfg.steps.len() {
            return;
        }
        let next = step_deadline(&queue.cfg.steps, contact.entered, contact.step + 1);
        if waiting {
            self.wait_remove(c);
        }
        let Some(contact) = self.w.contacts.get_mut(&c) else { return };
        contact.step += 1;
        let (q, step, epoch) = (contact.queue, contact.step, contact.epoch);
        self.out.push_back(Output::StepChanged { contact: c, queue: q, step });
        if let Some(at) = next {
            self.timers.add(at, Timer::Step { contact: c, epoch });
        }
        if waiting {
            self.wait_insert(c);
            self.rematch(vec![c], Vec::new());
        }
    }

    fn give_up(&mut self, c: ContactId, state: CState) {
        let mut freed = Vec::new();
        match state {
            CState::Waiting => self.wait_remove(c),
            CState::Offered { offer, agent } => {
                self.rescind(offer);
                freed.push(agent);
            }
            CState::Assigned { .. } => return,
        }
        let action = self
            .w
            .contacts
            .get(&c)
            .and_then(|x| self.w.queues.get(&x.queue))
            .map_or(GiveUpAction::Hangup, |q| q.cfg.give_up);
        if let Some((q, waited)) = self.leave_queue(c, false) {
            self.out.push_back(Output::GaveUp { contact: c, queue: q, action, waited_ms: waited });
        }
        self.rematch(Vec::new(), freed);
    }
}

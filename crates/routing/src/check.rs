//! Brute-force consistency checks used by the tests (never on the hot path
//! unless checking is switched on).

use crate::core::Core;
use crate::matcher::Matcher;
use crate::types::*;
use crate::world::CState;

impl<M: Matcher> Core<M> {
    /// After an offer of `c` to `a`: capacity/blending and FIFO within equal eligibility.
    pub fn check_offer(&mut self, c: ContactId, a: AgentId) {
        let mut v = Vec::new();
        let (Some(contact), Some(agent)) = (self.w.contacts.get(&c), self.w.agents.get(&a)) else { return };
        if let Some(why) = capacity_violation(agent, contact.spec.channel) {
            v.push(format!("offer of {c:?} to {a:?}: {why}"));
        }
        if contact.sticky.is_none() {
            let req = self.w.requirement(contact);
            let p = self.w.prio(contact);
            for &(_, y) in self.w.queues.get(&contact.queue).map(|q| &q.contacts).into_iter().flatten() {
                let Some(other) = self.w.contacts.get(&y) else { continue };
                if y == c || other.state != CState::Waiting || other.sticky.is_some() {
                    continue;
                }
                let same = other.spec.channel == contact.spec.channel
                    && other.step == contact.step
                    && self.w.requirement(other) == req;
                if same && self.w.prio(other) > p {
                    v.push(format!("FIFO: {c:?} offered while {y:?} with equal eligibility and higher priority waits"));
                }
            }
        }
        self.violations.extend(v);
    }

    /// Checks every invariant by brute force; returns the first violations found.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut v: Vec<String> = self.violations.clone();
        let w = &self.w;
        for (&o, rec) in &self.offers {
            match w.agents.get(&rec.agent) {
                Some(a) if a.offer.map(|x| x.0) == Some(o) => {}
                _ => v.push(format!("{o:?} is pending but its agent does not hold it")),
            }
            match w.contacts.get(&rec.contact) {
                Some(x) if x.state == (CState::Offered { offer: o, agent: rec.agent }) => {}
                _ => v.push(format!("{o:?} is pending but its contact is not ringing it")),
            }
            if rec.expires_at <= w.now {
                v.push(format!("{o:?} expired at {:?} but is still pending at {:?}", rec.expires_at, w.now));
            }
        }
        for agent in w.agents.values() {
            if let Some((o, _)) = agent.offer {
                if !self.offers.contains_key(&o) {
                    v.push(format!("{:?} holds {o:?}, which is not pending", agent.id));
                }
            }
            for &(c, _) in &agent.active {
                if w.contacts.get(&c).map(|x| x.state) != Some(CState::Assigned { agent: agent.id }) {
                    v.push(format!("{:?} handles {c:?}, which is not assigned to it", agent.id));
                }
            }
        }
        for (&c, x) in &w.contacts {
            if let CState::Offered { offer, agent } = x.state {
                if self.offers.get(&offer).map(|r| (r.contact, r.agent)) != Some((c, agent)) {
                    v.push(format!("{c:?} rings {offer:?}, which is not pending for it"));
                }
            }
            if x.state != CState::Waiting {
                continue;
            }
            // Work conservation.
            for a in w.agents.values() {
                if w.may_offer(a, x) {
                    v.push(format!("{:?} is free and eligible while {c:?} waits in {:?}", a.id, x.queue));
                }
            }
        }
        v.truncate(5);
        if v.is_empty() {
            Ok(())
        } else {
            Err(v.join("\n"))
        }
    }
}

/// Just after an offer of channel `ch` to `agent`: the offered channel is
/// within capacity and voice is exclusive. Other channels may be above a
/// capacity lowered since their contacts were accepted.
fn capacity_violation(agent: &crate::world::Agent, ch: Channel) -> Option<String> {
    let mut n = [0usize; 3];
    for &(_, c) in &agent.active {
        n[c.index()] += 1;
    }
    if let Some((_, c)) = agent.offer {
        n[c.index()] += 1;
    }
    let total: usize = n.iter().sum();
    let cap = agent.capacity;
    if n[0] > 0 && total > 1 {
        return Some(format!("voice is not exclusive: {n:?}"));
    }
    if n[ch.index()] > usize::from(cap.of(ch)) {
        return Some(format!("{ch:?} above capacity: {n:?} for {cap:?}"));
    }
    None
}

//! A reference router that makes the same decisions as [`crate::Engine`] with
//! linear scans instead of indexes: every "which agent for this contact"
//! looks at every logged-in agent, every "which contact for this agent" at
//! every contact. It shares the event logic of the engine, so comparing the
//! two checks the indexes (requirement classes, ordered free-agent sets) and
//! the shortcuts they allow; it is also the baseline of the benchmark.

use crate::core::Core;
use crate::matcher::Matcher;
use crate::skills::score;
use crate::types::{AgentId, ContactId, Strategy};
use crate::world::{CState, World};

/// Linear-scan matcher.
#[derive(Debug, Default)]
pub struct Naive;

impl Matcher for Naive {
    fn sync_agent(&mut self, _: &World, _: AgentId) {}
    fn insert_waiting(&mut self, _: &World, _: ContactId) {}
    fn remove_waiting(&mut self, _: &World, _: ContactId) {}

    fn best_agent(&self, w: &World, c: ContactId) -> Option<AgentId> {
        let contact = w.contacts.get(&c)?;
        let req = w.requirement(contact);
        let strategy = w.strategy(contact.queue);
        let skills = req.score_skills();
        let mut best = None;
        for a in w.agents.values() {
            if !w.eligible(a, contact, &req) {
                continue;
            }
            let key = a.key(contact.queue, strategy);
            let s = if strategy == Strategy::BestSkill { score(&a.skills, &skills) } else { 0 };
            // Higher score, then smaller key.
            let cand = (std::cmp::Reverse(s), key);
            if best.as_ref().is_none_or(|b| cand < *b) {
                best = Some(cand);
            }
        }
        best.map(|b| b.1 .2)
    }

    fn best_contact(&self, w: &World, a: AgentId) -> Option<ContactId> {
        let agent = w.agents.get(&a)?;
        let mut best = None;
        for c in w.contacts.values() {
            if c.state != CState::Waiting || c.sticky.is_some() {
                continue;
            }
            if !w.eligible(agent, c, &w.requirement(c)) {
                continue;
            }
            let p = w.prio(c);
            if best.as_ref().is_none_or(|b: &(_, ContactId)| p > b.0) {
                best = Some((p, c.spec.id));
            }
        }
        best.map(|b| b.1)
    }
}

/// The reference router: same API and decisions as [`crate::Engine`], linear time per decision.
#[derive(Debug, Default)]
pub struct NaiveRouter {
    pub(crate) core: Core<Naive>,
}

crate::engine::router_api!(NaiveRouter);

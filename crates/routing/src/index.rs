//! The engine's indexes.
//!
//! Per queue:
//! - **free agents per channel**, ordered by the queue's strategy key; an agent
//!   is filed only while it may be offered a contact of that channel
//!   (status, pending offer, wrap-up and capacity rules, see `Agent::free_for`);
//! - for `BestSkill` queues, the same agents per (channel, skill), ordered by
//!   proficiency (descending) then key;
//! - **requirement classes**: waiting contacts grouped by (channel, routing step,
//!   effective contact requirements). All contacts of a class are eligible for
//!   exactly the same agents, and are ordered by a time-invariant key
//!   (`World::order_key`), so the head of a class is its next contact. Only
//!   non-empty classes exist, and they are indexed by a skill every eligible
//!   agent must have (or none).
//!
//! A freed agent looks only at the class heads indexed under its own skills in
//! its queues. Because every event ends with no free agent eligible for a
//! waiting contact (work conservation), a contact that joins a non-empty class
//! needs no search at all; a contact that opens a class walks the free agents in
//! key order until one matches.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::matcher::Matcher;
use crate::skills::{score, Requirement, MAX_LEVEL};
use crate::types::{AgentId, Channel, ContactId, QueueId, SkillId, SkillReq, Strategy};
use crate::world::{AgentKey, Map, OrderKey, Prio, World};

type ClassKey = (Channel, usize, Vec<SkillReq>);
type ClassId = u64;

#[derive(Debug)]
struct Class {
    queue: QueueId,
    key: ClassKey,
    req: Requirement,
    necessary: Option<SkillId>,
    score_skills: Vec<SkillId>,
    waiting: BTreeSet<(OrderKey, ContactId)>,
}

/// Non-empty classes ordered by the order key of their first contact.
type ClassHeads = BTreeSet<(OrderKey, ClassId)>;

/// Free agents with one skill, highest proficiency first, then by strategy key.
type SkilledAgents = BTreeSet<(Reverse<u8>, AgentKey)>;

#[derive(Debug, Default)]
struct QueueIndex {
    free: [BTreeSet<AgentKey>; 3],
    by_skill: Map<(Channel, SkillId), SkilledAgents>,
    class_ids: Map<ClassKey, ClassId>,
    /// Non-empty classes by (channel, necessary skill), ordered by the order
    /// key of their head: the first class an agent matches holds the best
    /// contact of the set for that agent.
    nonempty: Map<(Channel, Option<SkillId>), ClassHeads>,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Entries {
    free: Vec<(QueueId, Channel, AgentKey)>,
    skill: Vec<(QueueId, Channel, SkillId, u8, AgentKey)>,
}

/// Indexed matcher used by [`crate::Engine`].
#[derive(Debug, Default)]
pub struct Indexed {
    queues: Map<QueueId, QueueIndex>,
    classes: Map<ClassId, Class>,
    next_class: ClassId,
    contact_class: Map<ContactId, (ClassId, OrderKey)>,
    agent_entries: Map<AgentId, Entries>,
}

impl Indexed {
    fn entries(w: &World, a: AgentId) -> Entries {
        let mut e = Entries::default();
        let Some(agent) = w.agents.get(&a) else { return e };
        for &q in &agent.queues {
            let Some(queue) = w.queues.get(&q) else { continue };
            let strategy = queue.cfg.strategy;
            for ch in Channel::ALL {
                if !agent.free_for(ch) {
                    continue;
                }
                let key = agent.key(q, strategy);
                e.free.push((q, ch, key));
                if strategy == Strategy::BestSkill {
                    for (s, l) in agent.skills.iter() {
                        e.skill.push((q, ch, s, l, key));
                    }
                }
            }
        }
        e
    }

    fn file(&mut self, e: &Entries, insert: bool) {
        for &(q, ch, key) in &e.free {
            let set = &mut self.queues.entry(q).or_default().free[ch.index()];
            if insert {
                set.insert(key);
            } else {
                set.remove(&key);
            }
        }
        for &(q, ch, s, l, key) in &e.skill {
            let qi = self.queues.entry(q).or_default();
            if insert {
                qi.by_skill.entry((ch, s)).or_default().insert((Reverse(l), key));
            } else if let Some(set) = qi.by_skill.get_mut(&(ch, s)) {
                set.remove(&(Reverse(l), key));
                if set.is_empty() {
                    qi.by_skill.remove(&(ch, s));
                }
            }
        }
    }
}

impl Matcher for Indexed {
    fn sync_agent(&mut self, w: &World, a: AgentId) {
        let new = Self::entries(w, a);
        let old = self.agent_entries.remove(&a).unwrap_or_default();
        if old != new {
            self.file(&old, false);
            self.file(&new, true);
        }
        if new != Entries::default() {
            self.agent_entries.insert(a, new);
        }
    }

    fn insert_waiting(&mut self, w: &World, c: ContactId) {
        let Some(contact) = w.contacts.get(&c) else { return };
        if self.contact_class.contains_key(&c) {
            return;
        }
        let req = w.requirement(contact);
        let key: ClassKey = (contact.spec.channel, contact.step, req.reqs.clone());
        let qi = self.queues.entry(contact.queue).or_default();
        let id = match qi.class_ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.next_class;
                self.next_class += 1;
                qi.class_ids.insert(key.clone(), id);
                let class = Class {
                    queue: contact.queue,
                    necessary: req.necessary(),
                    score_skills: req.score_skills(),
                    req,
                    key,
                    waiting: BTreeSet::new(),
                };
                self.classes.insert(id, class);
                id
            }
        };
        let Some(class) = self.classes.get_mut(&id) else { return };
        let ok = w.order_key(contact);
        let old_head = class.waiting.first().map(|e| e.0);
        class.waiting.insert((ok, c));
        let new_head = class.waiting.first().map(|e| e.0);
        if old_head != new_head {
            let set = qi.nonempty.entry((class.key.0, class.necessary)).or_default();
            if let Some(h) = old_head {
                set.remove(&(h, id));
            }
            if let Some(h) = new_head {
                set.insert((h, id));
            }
        }
        self.contact_class.insert(c, (id, ok));
    }

    fn remove_waiting(&mut self, _: &World, c: ContactId) {
        let Some((id, ok)) = self.contact_class.remove(&c) else { return };
        let Some(class) = self.classes.get_mut(&id) else { return };
        let old_head = class.waiting.first().map(|e| e.0);
        class.waiting.remove(&(ok, c));
        let new_head = class.waiting.first().map(|e| e.0);
        let nk = (class.key.0, class.necessary);
        let queue = class.queue;
        if old_head != new_head {
            if let Some(qi) = self.queues.get_mut(&queue) {
                if let Some(set) = qi.nonempty.get_mut(&nk) {
                    if let Some(h) = old_head {
                        set.remove(&(h, id));
                    }
                    if let Some(h) = new_head {
                        set.insert((h, id));
                    }
                    if set.is_empty() {
                        qi.nonempty.remove(&nk);
                    }
                }
            }
        }
        if new_head.is_some() {
            return;
        }
        if let Some(class) = self.classes.remove(&id) {
            if let Some(qi) = self.queues.get_mut(&class.queue) {
                qi.class_ids.remove(&class.key);
            }
        }
    }

    fn best_agent(&self, w: &World, c: ContactId) -> Option<AgentId> {
        let contact = w.contacts.get(&c)?;
        let (id, _) = self.contact_class.get(&c)?;
        let class = self.classes.get(id)?;
        let qi = self.queues.get(&contact.queue)?;
        let ch = contact.spec.channel;
        let ok = |a: AgentId| w.agents.get(&a).filter(|ag| w.eligible(ag, contact, &class.req));
        if w.strategy(contact.queue) != Strategy::BestSkill {
            return qi.free[ch.index()].iter().find(|k| ok(k.2).is_some()).map(|k| k.2);
        }
        // BestSkill: highest score, then smallest key.
        let mut best: Option<(u32, AgentKey)> = None;
        let consider = |a: AgentId, key: AgentKey, best: &mut Option<(u32, AgentKey)>| {
            if let Some(agent) = ok(a) {
                let s = score(&agent.skills, &class.score_skills);
                if best.is_none_or(|b| s > b.0 || (s == b.0 && key < b.1)) {
                    *best = Some((s, key));
                }
            }
        };
        match class.necessary.and_then(|s| qi.by_skill.get(&(ch, s))) {
            Some(set) => {
                let others = u32::from(MAX_LEVEL) * (class.score_skills.len().saturating_sub(1) as u32);
                for &(Reverse(l), key) in set {
                    if best.is_some_and(|b| u32::from(l) + others < b.0) {
                        break;
                    }
                    consider(key.2, key, &mut best);
                }
            }
            None if class.necessary.is_some() => {}
            None => {
                for &key in &qi.free[ch.index()] {
                    consider(key.2, key, &mut best);
                }
            }
        }
        best.map(|b| b.1 .2)
    }

    fn best_contact(&self, w: &World, a: AgentId) -> Option<ContactId> {
        let agent = w.agents.get(&a)?;
        let mut best: Option<(Prio, ContactId)> = None;
        for q in &agent.queues {
            let Some(qi) = self.queues.get(q) else { continue };
            if qi.nonempty.is_empty() {
                continue;
            }
            for ch in Channel::ALL {
                if !agent.free_for(ch) {
                    continue;
                }
                let skills = std::iter::once(None).chain(agent.skills.iter().map(|(s, _)| Some(s)));
                for nk in skills {
                    let Some(set) = qi.nonempty.get(&(ch, nk)) else { continue };
                    // Heads in priority order: the first class the agent
                    // matches is the best of this set, and once a head cannot
                    // beat the best so far, none after it can.
                    for &(_, id) in set {
                        let Some(class) = self.classes.get(&id) else { continue };
                        let Some(&(_, head)) = class.waiting.first() else { continue };
                        let Some(contact) = w.contacts.get(&head) else { continue };
                        let p = w.prio(contact);
                        if best.as_ref().is_some_and(|b| p <= b.0) {
                            break;
                        }
                        if class.req.matches(&agent.skills) {
                            best = Some((p, head));
                            break;
                        }
                    }
                }
            }
        }
        best.map(|b| b.1)
    }
}

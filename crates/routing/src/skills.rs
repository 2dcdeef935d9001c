//! Skill sets, skill expressions and the effective requirement of a contact.

use crate::types::{RoutingStep, SkillExpr, SkillId, SkillReq};

/// Expressions nested deeper than this are refused by `UpsertQueue`.
pub const MAX_EXPR_DEPTH: usize = 32;

/// Highest proficiency; higher levels given by the driver count as this.
pub const MAX_LEVEL: u8 = 10;

/// An agent's skills, sorted by skill id, one entry per skill.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SkillSet(Vec<(SkillId, u8)>);

impl SkillSet {
    pub fn new(skills: &[(SkillId, u8)]) -> SkillSet {
        let mut v: Vec<(SkillId, u8)> = skills.iter().map(|&(s, l)| (s, l.min(MAX_LEVEL))).collect();
        // Highest level first within a skill, so dedup keeps it.
        v.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        v.dedup_by_key(|e| e.0);
        SkillSet(v)
    }

    pub fn level(&self, skill: SkillId) -> u8 {
        match self.0.binary_search_by_key(&skill, |e| e.0) {
            Ok(i) => self.0.get(i).map_or(0, |e| e.1),
            Err(_) => 0,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (SkillId, u8)> + '_ {
        self.0.iter().copied()
    }
}

pub fn expr_depth(e: &SkillExpr) -> usize {
    // Iterative so that absurd nesting cannot overflow the stack.
    let mut max = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        if let SkillExpr::All(v) | SkillExpr::AnyOf(v) = e {
            if d <= MAX_EXPR_DEPTH {
                stack.extend(v.iter().map(|c| (c, d + 1)));
            }
        }
    }
    max
}

pub fn eval(e: &SkillExpr, skills: &SkillSet) -> bool {
    eval_at(e, skills, 0)
}

fn eval_at(e: &SkillExpr, skills: &SkillSet, depth: usize) -> bool {
    if depth > MAX_EXPR_DEPTH {
        return false;
    }
    match e {
        SkillExpr::Any => true,
        SkillExpr::Skill(r) => skills.level(r.skill) >= r.min_level,
        SkillExpr::All(v) => v.iter().all(|c| eval_at(c, skills, depth + 1)),
        SkillExpr::AnyOf(v) => v.iter().any(|c| eval_at(c, skills, depth + 1)),
    }
}

/// A skill every agent satisfying `e` must have (level >= 1), if one is easy to find.
fn expr_necessary(e: &SkillExpr, depth: usize) -> Option<SkillId> {
    if depth > MAX_EXPR_DEPTH {
        return None;
    }
    match e {
        SkillExpr::Skill(r) if r.min_level >= 1 => Some(r.skill),
        SkillExpr::All(v) => v.iter().find_map(|c| expr_necessary(c, depth + 1)),
        _ => None,
    }
}

fn expr_skills(e: &SkillExpr, out: &mut Vec<SkillId>, depth: usize) {
    if depth > MAX_EXPR_DEPTH {
        return;
    }
    match e {
        SkillExpr::Any => {}
        SkillExpr::Skill(r) => out.push(r.skill),
        SkillExpr::All(v) | SkillExpr::AnyOf(v) => v.iter().for_each(|c| expr_skills(c, out, depth + 1)),
    }
}

/// The contact's own requirements as they apply in `step`: sorted, one per skill.
pub fn effective_reqs(required: &[SkillReq], step: &RoutingStep) -> Vec<SkillReq> {
    if step.drop_contact_skills {
        return Vec::new();
    }
    let relax = step.relax_contact_levels;
    let mut v: Vec<SkillReq> = required
        .iter()
        .map(|r| SkillReq {
            skill: r.skill,
            min_level: if relax > 0 { r.min_level.saturating_sub(relax).max(1) } else { r.min_level },
        })
        .collect();
    v.sort_by(|a, b| a.skill.cmp(&b.skill).then(b.min_level.cmp(&a.min_level)));
    v.dedup_by_key(|r| r.skill);
    v
}

/// What an agent must satisfy to take a contact in its current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub reqs: Vec<SkillReq>,
    pub expr: SkillExpr,
}

impl Requirement {
    pub fn new(required: &[SkillReq], step: &RoutingStep) -> Requirement {
        Requirement { reqs: effective_reqs(required, step), expr: step.expr.clone() }
    }

    pub fn matches(&self, skills: &SkillSet) -> bool {
        self.reqs.iter().all(|r| skills.level(r.skill) >= r.min_level) && eval(&self.expr, skills)
    }

    /// A skill every matching agent has, used to index requirement classes.
    pub fn necessary(&self) -> Option<SkillId> {
        self.reqs.iter().find(|r| r.min_level >= 1).map(|r| r.skill).or_else(|| expr_necessary(&self.expr, 0))
    }

    /// The skills whose proficiency `BestSkill` sums, sorted and distinct.
    pub fn score_skills(&self) -> Vec<SkillId> {
        let mut v: Vec<SkillId> = self.reqs.iter().map(|r| r.skill).collect();
        expr_skills(&self.expr, &mut v, 0);
        v.sort();
        v.dedup();
        v
    }
}

/// `BestSkill` score of an agent for a set of skills.
pub fn score(skills: &SkillSet, score_skills: &[SkillId]) -> u32 {
    score_skills.iter().map(|&s| u32::from(skills.level(s))).sum()
}

//! Store rows → engine configuration.

use hotline_routing as r;
use hotline_store as s;

use crate::error::AcdError;

pub fn strategy(name: &str) -> Result<r::Strategy, AcdError> {
    Ok(match name {
        "longest_idle" => r::Strategy::LongestIdle,
        "least_occupied" => r::Strategy::LeastOccupied,
        "round_robin" => r::Strategy::RoundRobin,
        "best_skill" => r::Strategy::BestSkill,
        other => return Err(AcdError::Invalid(format!("unknown strategy `{other}`"))),
    })
}

pub fn give_up(name: &str) -> Result<r::GiveUpAction, AcdError> {
    Ok(match name {
        "voicemail" => r::GiveUpAction::Voicemail,
        "callback" => r::GiveUpAction::Callback,
        "hangup" => r::GiveUpAction::Hangup,
        other => return Err(AcdError::Invalid(format!("unknown give-up action `{other}`"))),
    })
}

pub fn give_up_name(a: &r::GiveUpAction) -> &'static str {
    match a {
        r::GiveUpAction::Voicemail => "voicemail",
        r::GiveUpAction::Callback => "callback",
        r::GiveUpAction::Hangup => "hangup",
    }
}

pub fn channel(name: &str) -> Result<r::Channel, AcdError> {
    Ok(match name {
        "voice" => r::Channel::Voice,
        "chat" => r::Channel::Chat,
        "email" => r::Channel::Email,
        other => return Err(AcdError::Invalid(format!("unknown channel `{other}`"))),
    })
}

pub fn status_name(s: &r::Status) -> (&'static str, Option<String>) {
    match s {
        r::Status::Available => ("available", None),
        r::Status::NotReady { reason } => ("not_ready", Some(reason.clone())),
        r::Status::LoggedOut => ("logged_out", None),
    }
}

pub fn state_name(s: &r::AgentState) -> &'static str {
    match s {
        r::AgentState::Idle => "idle",
        r::AgentState::Reserved => "reserved",
        r::AgentState::Busy => "busy",
        r::AgentState::WrapUp => "wrap_up",
    }
}

pub fn offer_end_name(e: &r::OfferEnd) -> &'static str {
    match e {
        r::OfferEnd::Accepted => "accepted",
        r::OfferEnd::Rejected => "rejected",
        r::OfferEnd::TimedOut => "timed_out",
        r::OfferEnd::Rescinded => "rescinded",
    }
}

const SEC: u64 = 1000;

/// Builds the engine's queue configuration. `skill` and `queue` resolve store ids to handles.
pub fn queue_config(
    q: &s::Queue,
    id: r::QueueId,
    mut skill: impl FnMut(&str) -> r::SkillId,
    mut queue: impl FnMut(&str) -> r::QueueId,
) -> Result<r::QueueConfig, AcdError> {
    let steps = q
        .steps
        .iter()
        .map(|st| {
            let reqs: Vec<r::SkillExpr> = st
                .skills
                .iter()
                .map(|k| r::SkillExpr::Skill(r::SkillReq { skill: skill(&k.skill), min_level: k.min_level }))
                .collect();
            r::RoutingStep {
                expr: if reqs.is_empty() { r::SkillExpr::Any } else { r::SkillExpr::All(reqs) },
                relax_contact_levels: st.relax_contact_levels,
                drop_contact_skills: st.drop_contact_skills,
                timeout_ms: st.timeout_secs.map(|t| u64::from(t) * SEC),
            }
        })
        .collect();
    let overflow = q.overflow_queue.as_deref().map(|target| r::Overflow {
        target: queue(target),
        after_ms: q.overflow_after_secs.map(|t| u64::from(t) * SEC),
        when_no_agents: q.overflow_when_no_agents,
    });
    Ok(r::QueueConfig {
        id,
        strategy: strategy(&q.strategy)?,
        steps,
        offer_timeout_ms: u64::from(q.offer_timeout_secs.max(1)) * SEC,
        wrap_up_ms: u64::from(q.wrap_up_secs) * SEC,
        max_missed_offers: q.max_missed_offers,
        aging_per_sec: q.aging_per_sec,
        vip_boost: q.vip_boost,
        sticky_ms: u64::from(q.sticky_secs) * SEC,
        overflow,
        max_wait_ms: q.max_wait_secs.map(|t| u64::from(t) * SEC),
        give_up: give_up(&q.give_up_action)?,
        service_level_ms: u64::from(q.service_level_secs) * SEC,
        service_level_window_ms: u64::from(q.sl_window_secs.max(60)) * SEC,
    })
}

/// Languages are skills to the engine, at full proficiency.
pub const LANGUAGE_LEVEL: u8 = 10;

pub fn agent_profile(
    a: &s::Agent,
    mut skill: impl FnMut(&str) -> r::SkillId,
    mut queue: impl FnMut(&str) -> r::QueueId,
) -> r::AgentProfile {
    let mut skills: Vec<(r::SkillId, u8)> = a.skills.iter().map(|k| (skill(&k.skill), k.level)).collect();
    skills.extend(a.languages.iter().map(|l| (skill(l), LANGUAGE_LEVEL)));
    r::AgentProfile {
        skills,
        queues: a.queues.iter().map(|q| queue(q)).collect(),
        capacity: r::Capacity { voice: a.capacity.voice, chat: a.capacity.chat, email: a.capacity.email },
    }
}

//! The reconciler: compares what the routing engine believes about agents
//! with the calls that really exist, and says how to repair any drift.
//!
//! It runs at a steady interval in the driver. Drift should never happen
//! (every path through the orchestrator tells routing what it did), but a
//! lost message, a crashed task or a bug must not leave an agent "busy" with
//! no call, "ringing" for a caller who is gone, or "available" while talking.

use std::collections::HashMap;

use crate::orchestrator::{Orchestrator, Phase};

/// What routing says about one agent, reduced to what the reconciler needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentFacts {
    pub agent: String,
    /// `available`, `not_ready` or `logged_out`.
    pub status: String,
    /// Pending offer: (offer id, contact id).
    pub offer: Option<(String, String)>,
    /// Voice contacts the agent handles.
    pub voice_contacts: Vec<String>,
    /// Whether the contact of `offer` is a voice contact.
    pub offer_is_voice: bool,
}

/// One repair, applied by the driver and logged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Repair {
    /// The offer rings for a call that is not ringing it (the call moved on).
    WithdrawOffer { agent: String, offer: String, contact: String },
    /// The offer rings for a call that does not exist: the contact has no
    /// caller, so it leaves routing (which also frees the agent).
    DropContact { agent: String, contact: String },
    /// The agent handles a voice contact with no live call: end it.
    FinishContact { agent: String, contact: String },
    /// The agent talks on a call routing does not know about: stop offering
    /// them work until that call ends.
    HoldAgent { agent: String, contact: String },
}

/// Compares `agents` (from routing) with `calls`. A call in an intermediate
/// phase (accepting, leaving) is given the benefit of the doubt: the
/// orchestrator is about to tell routing.
pub fn reconcile(agents: &[AgentFacts], calls: &Orchestrator) -> Vec<Repair> {
    let mut repairs = Vec::new();
    let mut talking: HashMap<&str, &str> = HashMap::new();
    let views = calls.views();
    for v in &views {
        if let Phase::Bridged { agent } | Phase::CallingBack { agent } = v.phase {
            talking.insert(agent.as_str(), v.contact);
        }
    }
    for a in agents {
        if let (Some((offer, contact)), true) = (&a.offer, a.offer_is_voice) {
            if calls.call_of(contact).is_none() {
                repairs.push(Repair::DropContact { agent: a.agent.clone(), contact: contact.clone() });
                continue;
            }
            let live = calls.call_of(contact).and_then(|c| calls.view(c)).is_some_and(|v| match v.phase {
                Phase::Ringing { offer: o, .. } | Phase::Accepting { offer: o, .. } | Phase::AgentLeft { offer: o } => {
                    o == offer
                }
                Phase::CallerLeft => true,
                _ => false,
            });
            if !live {
                repairs.push(Repair::WithdrawOffer { agent: a.agent.clone(), offer: offer.clone(), contact: contact.clone() });
            }
        }
        for contact in &a.voice_contacts {
            let live = calls.call_of(contact).and_then(|c| calls.view(c)).is_some_and(|v| {
                matches!(
                    v.phase,
                    Phase::Bridged { .. } | Phase::CallingBack { .. } | Phase::Accepting { .. } | Phase::AgentLeft { .. } | Phase::CallerLeft
                )
            });
            if !live {
                repairs.push(Repair::FinishContact { agent: a.agent.clone(), contact: contact.clone() });
            }
        }
        if let Some(contact) = talking.get(a.agent.as_str()) {
            let known = a.voice_contacts.iter().any(|c| c == contact);
            if !known && a.status == "available" {
                repairs.push(Repair::HoldAgent { agent: a.agent.clone(), contact: (*contact).to_owned() });
            }
        }
    }
    repairs
}

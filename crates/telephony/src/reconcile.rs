//! The reconciler's IO: reads routing's view of every agent, compares it with
//! the live calls (`hotline_calls::reconcile`) and applies the repairs
//! through the ACD, logging each one. Run at `[sip] reconcile_interval_secs`
//! by the call driver, which owns the orchestrator.

use hotline_acd::{AcdHandle, AgentSnapshot, StatusRequest};
use hotline_calls::{reconcile, AgentFacts, Orchestrator, Repair};

/// Reason code given to an agent held off new work while on a call that
/// routing does not know about.
pub const ON_CALL: &str = "on_call";

/// Hang-up cause recorded on a contact ended by the reconciler.
pub const RECONCILED: &str = "reconciled";

/// What routing says, reduced to what the reconciler compares.
pub fn facts(agents: &[AgentSnapshot]) -> Vec<AgentFacts> {
    agents
        .iter()
        .map(|a| AgentFacts {
            agent: a.agent_id.clone(),
            status: a.status.clone(),
            offer: a.offer.as_ref().map(|o| (o.offer_id.clone(), o.contact_id.clone())),
            offer_is_voice: a.offer.as_ref().is_some_and(|o| o.channel == "voice"),
            voice_contacts: a.active_voice.clone(),
        })
        .collect()
}

/// One pass: returns the repairs that were applied.
pub async fn run_once(acd: &AcdHandle, calls: &Orchestrator) -> Vec<Repair> {
    let agents = match acd.agents().await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "reconciler cannot read agents");
            return Vec::new();
        }
    };
    let repairs = reconcile(&facts(&agents), calls);
    let mut applied = Vec::new();
    for r in repairs {
        let result = match &r {
            Repair::WithdrawOffer { agent, offer, .. } => acd.reject(offer, Some(agent)).await.map(|_| ()),
            Repair::DropContact { contact, .. } => acd.abandon_call(contact, RECONCILED).await,
            Repair::FinishContact { contact, .. } => acd.finish_call(contact, RECONCILED).await,
            Repair::HoldAgent { agent, .. } => {
                acd.set_status(agent, StatusRequest::NotReady { reason: ON_CALL.into() }).await.map(|_| ())
            }
        };
        match result {
            Ok(()) => {
                tracing::warn!(repair = ?r, "reconciler repaired drift between routing and calls");
                applied.push(r);
            }
            // The drift may have resolved itself in the meantime.
            Err(e) => tracing::info!(repair = ?r, error = %e, "reconciler repair not needed any more"),
        }
    }
    applied
}

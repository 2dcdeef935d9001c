//! The reconciler's IO: reads routing's view of every agent, compares it with
//! the live calls (`hotline_calls::reconcile`) and applies the repairs
//! through the ACD, logging each one. Run at `[sip] reconcile_interval_secs`
//! by the call driver, which owns the orchestrator.
//!
//! Routing and calls run in different tasks, so a snapshot can catch them
//! mid-step (an offer made whose event the call driver has not read yet).
//! A repair is therefore applied only when the same drift is seen in two
//! passes in a row: real drift stays, a passing race does not.

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

/// The reconciler between passes: drift seen once, waiting for a second look.
#[derive(Debug, Default)]
pub struct Reconciler {
    suspects: std::collections::HashSet<Repair>,
}

impl Reconciler {
    /// One pass: repairs drift seen in this pass and the one before; returns
    /// the repairs applied.
    pub async fn pass(&mut self, acd: &AcdHandle, calls: &Orchestrator) -> Vec<Repair> {
        let agents = match acd.agents().await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "reconciler cannot read agents");
                return Vec::new();
            }
        };
        let found: std::collections::HashSet<Repair> = reconcile(&facts(&agents), calls).into_iter().collect();
        let confirmed: Vec<Repair> = found.iter().filter(|r| self.suspects.contains(r)).cloned().collect();
        self.suspects = found;
        for r in &confirmed {
            self.suspects.remove(r);
        }
        apply(acd, confirmed).await
    }
}

async fn apply(acd: &AcdHandle, repairs: Vec<Repair>) -> Vec<Repair> {
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

//! Between calls and the routing engine.
//!
//! Commands (submit, accept, reject, finish, abandon) and the recording
//! index rows go to one [`Worker`] task that runs them in order — a contact
//! is always submitted before it is abandoned — without holding up
//! signaling; answers that the orchestrator waits for come back as its
//! inputs. Routing's events (offers, offers ended, contacts given up) come
//! from the event bus.

use std::sync::Arc;

use hotline_acd::{AcdHandle, NewContact};
use hotline_calls::{CallId, GiveUpAction, Input as CallInput, OfferEnd};
use hotline_events::{Envelope, Event};
use hotline_store::{Recording, TenantStore};
use tokio::sync::{broadcast, mpsc};

use super::Server;

/// One command for routing or the store.
pub(super) enum Job {
    Submit { call: CallId, contact: NewContact },
    Accept { call: CallId, offer: String },
    Reject { offer: String },
    Place { call: CallId, contact: String },
    Finish { contact: String, cause: &'static str },
    Abandon { contact: String, cause: &'static str },
    RecordingStarted(Recording),
    /// A voicemail's interaction row.
    Voicemail(hotline_store::Interaction),
    /// A call ended: a voicemail interaction of it gets its end.
    VoicemailEnded { contact: String, cause: &'static str },
    Survey { contact: String, answers: std::collections::BTreeMap<String, String> },
    RecordingFinished { id: String, ended_at: i64, duration_ms: i64, sha256: String },
    /// A hold, a resume, a supervisor joining: the call's history.
    CallEvent(hotline_store::CallEvent),
    /// An agent's first phone registered, or their last one went.
    Registration { agent: String, registered: bool },
}

/// Runs [`Job`]s in order. Cheap to clone.
#[derive(Clone)]
pub(super) struct Worker {
    tx: mpsc::UnboundedSender<Job>,
    back: mpsc::UnboundedSender<CallInput>,
}

impl Worker {
    /// Starts the worker; orchestrator inputs come back on the receiver.
    pub fn start(acd: AcdHandle, store: TenantStore) -> (Worker, mpsc::UnboundedReceiver<CallInput>) {
        let (tx, mut jobs) = mpsc::unbounded_channel::<Job>();
        let (back, routed) = mpsc::unbounded_channel();
        let worker = Worker { tx, back: back.clone() };
        tokio::spawn(async move {
            while let Some(job) = jobs.recv().await {
                if let Some(input) = run(&acd, &store, job).await {
                    let _ = back.send(input);
                }
            }
        });
        (worker, routed)
    }

    /// Where other tasks (IVR lookups) send inputs for the orchestrator.
    pub fn inputs(&self) -> mpsc::UnboundedSender<CallInput> {
        self.back.clone()
    }

    pub fn send(&self, job: Job) {
        let _ = self.tx.send(job);
    }
}

async fn run(acd: &AcdHandle, store: &TenantStore, job: Job) -> Option<CallInput> {
    match job {
        Job::Submit { call, mut contact } => {
            // Known callers are recognised by their number: the customer goes
            // with the interaction (screen pop, history) and VIPs are served first.
            if let Some(phone) = contact.from_addr.clone().filter(|p| !p.is_empty()) {
                match store.customer_by_phone(&phone).await {
                    Ok(Some(c)) => {
                        contact.customer_id = Some(c.id);
                        contact.tier = c.tier;
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(%call, error = %e, "customer lookup failed; routing without it"),
                }
            }
            match acd.submit(contact).await {
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(%call, error = %e, "routing refused the call");
                Some(CallInput::SubmitFailed { call })
            }
            }
        }
        Job::Accept { call, offer } => {
            let ok = acd.accept(&offer, None).await;
            if let Err(e) = &ok {
                tracing::info!(%call, %offer, error = %e, "offer could not be accepted");
            }
            Some(CallInput::AcceptResult { call, ok: ok.is_ok() })
        }
        Job::Place { call, contact } => match acd.place(&contact).await {
            Ok(Some(p)) => Some(CallInput::Place { call, position: p.position, ewt_ms: p.ewt_ms }),
            // Answered or gone meanwhile: nothing to announce.
            _ => None,
        },
        Job::Reject { offer } => {
            if let Err(e) = acd.reject(&offer, None).await {
                tracing::debug!(%offer, error = %e, "offer already ended");
            }
            None
        }
        Job::Finish { contact, cause } => {
            if let Err(e) = acd.finish_call(&contact, cause).await {
                tracing::warn!(%contact, error = %e, "contact not finished in routing");
            }
            None
        }
        Job::Abandon { contact, cause } => {
            if let Err(e) = acd.abandon_call(&contact, cause).await {
                tracing::debug!(%contact, error = %e, "contact not abandoned in routing");
            }
            None
        }
        Job::Survey { contact, answers } => {
            match store.save_survey(&contact, &answers, crate::now_ms()).await {
                Ok(score) => tracing::info!(%contact, ?score, "survey answered"),
                Err(e) => tracing::warn!(%contact, error = %e, "survey not saved"),
            }
            None
        }
        Job::Voicemail(i) => {
            if let Err(e) = store.insert_interaction(&i).await {
                tracing::error!(interaction = %i.id, error = %e, "voicemail interaction not written");
            }
            None
        }
        Job::VoicemailEnded { contact, cause } => {
            // Only voicemails are written from here; routing writes the rest.
            if let Ok(Some(mut i)) = store.interaction(&contact).await {
                if i.outcome.as_deref() == Some("voicemail") && i.ended_at.is_none() {
                    i.ended_at = Some(crate::now_ms());
                    i.hangup_cause = Some(cause.into());
                    if let Err(e) = store.update_interaction(&i).await {
                        tracing::warn!(interaction = %contact, error = %e, "voicemail end not written");
                    }
                }
            }
            None
        }
        // Index rows go through routing's lossless writer, in order with its rows.
        Job::RecordingStarted(r) => {
            acd.recording_started(r).await;
            None
        }
        Job::CallEvent(e) => {
            if let Err(err) = store.add_call_event(&e).await {
                tracing::warn!(interaction = %e.interaction_id, kind = %e.kind, error = %err, "call event not written");
            }
            None
        }
        Job::Registration { agent, registered } => {
            let status = if registered {
                hotline_acd::StatusRequest::Available
            } else {
                hotline_acd::StatusRequest::NotReady { reason: super::UNREGISTERED.into() }
            };
            if let Err(e) = acd.set_status(&agent, status).await {
                tracing::warn!(%agent, error = %e, "could not change the agent's status");
            }
            None
        }
        Job::RecordingFinished { id, ended_at, duration_ms, sha256 } => {
            acd.recording_finished(id, ended_at, duration_ms, sha256).await;
            None
        }
    }
}

impl Server {
    /// An event from the bus: offers, their ends and give-ups concern calls.
    pub(super) fn routing_event(&mut self, e: Result<Arc<Envelope>, broadcast::error::RecvError>) {
        let env = match e {
            Ok(env) => env,
            Err(broadcast::error::RecvError::Lagged(n)) => {
                // The reconciler repairs whatever these would have told us.
                tracing::warn!(missed = n, "call driver fell behind routing events");
                return;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let input = match &env.event {
            Event::ContactOffered { contact_id, agent_id, offer_id, .. } => {
                if self.orch.call_of(contact_id).is_none() {
                    return;
                }
                let Some(extension) = self.extensions.get(agent_id).cloned() else {
                    tracing::warn!(agent = %agent_id, "offered agent has no extension (yet): reloading");
                    let _ = self.directory.send(None);
                    self.routing.send(Job::Reject { offer: offer_id.clone() });
                    return;
                };
                if let Some(c) = self.orch.call_of(contact_id).and_then(|call| self.calls.get_mut(&call)) {
                    c.agent_id = Some(agent_id.clone());
                }
                CallInput::Offered { contact: contact_id.clone(), offer: offer_id.clone(), agent: agent_id.clone(), extension }
            }
            Event::OfferEnded { contact_id, offer_id, end, .. } => {
                let end = match end.as_str() {
                    "accepted" => OfferEnd::Accepted,
                    "rejected" => OfferEnd::Rejected,
                    "timed_out" => OfferEnd::TimedOut,
                    _ => OfferEnd::Rescinded,
                };
                CallInput::OfferEnded { contact: contact_id.clone(), offer: offer_id.clone(), end }
            }
            Event::ContactGaveUp { contact_id, action, .. } => {
                let action = match action.as_str() {
                    "voicemail" => GiveUpAction::Voicemail,
                    "callback" => GiveUpAction::Callback,
                    _ => GiveUpAction::Hangup,
                };
                CallInput::GaveUp { contact: contact_id.clone(), action }
            }
            _ => return,
        };
        self.call_input(input);
    }
}

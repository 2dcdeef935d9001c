//! The supervisor's alerts, driven: once a second the floor (routing's
//! queues and agents, telephony's calls) is checked against each queue's
//! rules by [`hotline_supervision::Board`]; what changes goes out on the
//! event stream (`alert`, supervisors and admins only). Rules are kept in
//! the store's settings (`alert_rules`: queue → rules) and held here.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hotline_events::Event;
use hotline_supervision::{Alert, Board, Change, Floor, Rules};

use crate::state::AppState;

/// The settings key of every queue's rules.
pub const RULES_KEY: &str = "alert_rules";

#[derive(Default)]
pub struct Alerts {
    board: Mutex<Board>,
    rules: Mutex<HashMap<String, Rules>>,
}

impl Alerts {
    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn rules_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Rules>> {
        self.rules.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn list(&self) -> Vec<Alert> {
        self.board().alerts()
    }

    /// A queue's rules (the defaults when none were set).
    pub fn rules(&self, queue: &str) -> Rules {
        self.rules_lock().get(queue).cloned().unwrap_or_default()
    }

    pub fn all_rules(&self) -> HashMap<String, Rules> {
        self.rules_lock().clone()
    }

    pub fn set_all_rules(&self, rules: HashMap<String, Rules>) {
        *self.rules_lock() = rules;
    }

    pub fn ack(&self, id: u64, by: &str, now: i64) -> Result<Change, hotline_supervision::AckError> {
        self.board().ack(id, by, now)
    }
}

/// The event for a change.
pub fn event(change: &Change) -> Event {
    let (what, a) = match change {
        Change::Raised(a) => ("raised", a),
        Change::Acked(a) => ("acked", a),
        Change::Cleared(a) => ("cleared", a),
    };
    Event::Alert {
        id: a.id,
        change: what.into(),
        kind: a.kind.as_str().into(),
        queue_id: a.queue.clone(),
        subject: a.subject.clone(),
        value: a.value,
        threshold: a.threshold,
        acked_by: a.acked_by.clone(),
    }
}

/// Reads the rules from the store (at start).
pub async fn load(state: &AppState) -> Result<(), hotline_store::StoreError> {
    let pairs = state.db().settings().await?;
    if let Some((_, json)) = pairs.iter().find(|(k, _)| k == RULES_KEY) {
        match serde_json::from_str(json) {
            Ok(rules) => state.0.alerts.set_all_rules(rules),
            Err(e) => tracing::warn!(error = %e, "stored alert rules unreadable; the defaults apply"),
        }
    }
    Ok(())
}

/// Checks the floor every `every`.
pub fn spawn(state: AppState, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            check(&state).await;
        }
    });
}

/// One check of the floor.
pub async fn check(state: &AppState) {
    let Some(floor) = floor(state).await else { return };
    let now = hotline_acd::now_ms();
    let rules = state.0.alerts.all_rules();
    let changes = state.0.alerts.board().check(now, &rules, &floor);
    for c in &changes {
        state.0.bus.publish(now, event(c));
        if let Change::Raised(a) = c {
            if a.kind == hotline_supervision::Kind::Flagged {
                auto_listen(state, a, &rules).await;
            }
        }
    }
}

/// A flagged caller's queue names a supervisor's extension: their phone
/// is rung to listen in, audited as done by the rule.
async fn auto_listen(state: &AppState, alert: &Alert, rules: &HashMap<String, Rules>) {
    let Some(extension) = rules.get(&alert.queue).and_then(|r| r.auto_listen.clone()) else { return };
    let Some(telephony) = state.0.telephony.clone() else { return };
    let mode = hotline_telephony::sip_server::Monitor::Listen;
    let indicator = state.0.center.get().shows_monitor(mode);
    let via = hotline_telephony::sip_server::MonitorVia::Phone(extension.clone());
    let r = telephony.monitor(&alert.subject, &format!("rule:{}", alert.queue), via, mode, indicator).await;
    if let Err(e) = &r {
        tracing::warn!(contact = %alert.subject, %extension, error = %e, "automatic listen not started");
    }
    let detail = format!("mode=listen via=phone:{extension} rule=flag ok={}", r.is_ok());
    crate::audit::record(state, None, &crate::audit::ClientIp(None), "call.monitor", Some(&alert.subject), detail).await;
}

/// What the floor looks like now, or `None` when routing does not answer.
async fn floor(state: &AppState) -> Option<Floor> {
    let queues = state.0.acd.queues().await.ok()?;
    let stored = state.db().list_queues().await.ok()?;
    let target = |q: &str| stored.iter().find(|s| s.id == q).map_or(80, |s| s.service_level_target_pct);
    let members: HashMap<String, Vec<String>> = state.db().list_agents().await.ok()?.into_iter().map(|a| (a.id, a.queues)).collect();
    let agents = state.0.acd.agents().await.ok()?;
    let calls = match &state.0.telephony {
        Some(t) => t.live_calls().await.unwrap_or_default(),
        None => Vec::new(),
    };
    let now = hotline_acd::now_ms();
    Some(Floor {
        queues: queues
            .into_iter()
            .map(|q| hotline_supervision::QueueNow {
                target_pct: target(&q.queue_id),
                longest_wait_ms: q.stats.longest_wait_ms,
                service_level_pct: q.stats.service_level,
                queue: q.queue_id,
            })
            .collect(),
        agents: agents
            .into_iter()
            .map(|a| hotline_supervision::AgentNow {
                not_ready: a.status == "not_ready",
                queues: members.get(&a.agent_id).cloned().unwrap_or_default(),
                agent: a.agent_id,
            })
            .collect(),
        calls: calls
            .into_iter()
            .filter(|c| c.phase == "talking")
            .filter_map(|c| Some(hotline_supervision::CallNow { queue: c.queue?, talking_ms: (now - c.started_at).max(0) as u64, contact: c.contact, vars: c.vars }))
            .collect(),
    })
}

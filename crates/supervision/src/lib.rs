//! # hotline-supervision: the supervisor's alerts, sans-IO
//!
//! Each queue has [`Rules`]: how long a caller may wait (5 minutes unless
//! set), whether service level under the queue's target is an alert, how
//! long an agent may stay not ready, how long a call may last. The driver
//! hands the [`Board`] what the floor looks like now ([`Floor`]: queues,
//! agents, calls) with the time; the board raises an alert the first time
//! a condition holds, keeps it (with the worst value seen) while it does,
//! and clears it when it stops. A supervisor acknowledges an alert; it
//! stays on the board, acknowledged, until its condition clears. Nothing
//! here reads a clock or does IO: the API's task polls routing and
//! telephony once a second, publishes the changes and keeps the board.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// When a queue's alerts fire. `None` switches one off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// A caller waiting longer than this (seconds).
    #[serde(default = "five_minutes")]
    pub waiting_secs: Option<u32>,
    /// Service level under the queue's target.
    #[serde(default = "yes")]
    pub service_level: bool,
    /// A member agent not ready longer than this (seconds).
    #[serde(default)]
    pub not_ready_secs: Option<u32>,
    /// A call of the queue lasting longer than this (seconds).
    #[serde(default)]
    pub call_secs: Option<u32>,
    /// A connected caller flagged by what the IVR or a lookup found
    /// (`var=value`, e.g. `lookup.risk=high`): an alert, and where
    /// `auto_listen` names a supervisor's extension, their phone is rung to
    /// listen in ("双人监听").
    #[serde(default)]
    pub flag: Option<String>,
    #[serde(default)]
    pub auto_listen: Option<String>,
}

fn five_minutes() -> Option<u32> {
    Some(300)
}

fn yes() -> bool {
    true
}

impl Default for Rules {
    fn default() -> Self {
        Rules { waiting_secs: five_minutes(), service_level: true, not_ready_secs: None, call_secs: None, flag: None, auto_listen: None }
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A caller waits too long (subject: the queue).
    LongWait,
    /// Service level under target (subject: the queue).
    ServiceLevel,
    /// An agent is not ready too long (subject: the agent).
    NotReady,
    /// A call lasts too long (subject: the contact).
    LongCall,
    /// A connected caller matches the queue's flag (subject: the contact).
    Flagged,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::LongWait => "long_wait",
            Kind::ServiceLevel => "service_level",
            Kind::NotReady => "not_ready",
            Kind::LongCall => "long_call",
            Kind::Flagged => "flagged",
        }
    }
}

/// One queue now.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueNow {
    pub queue: String,
    pub longest_wait_ms: u64,
    /// Percent answered in time over the window, if anything was.
    pub service_level_pct: Option<f64>,
    pub target_pct: u8,
}

/// One agent now.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentNow {
    pub agent: String,
    pub queues: Vec<String>,
    pub not_ready: bool,
}

/// One call talking now.
#[derive(Debug, Clone, PartialEq)]
pub struct CallNow {
    pub contact: String,
    pub queue: String,
    pub talking_ms: u64,
    /// What the IVR collected and lookups answered (never secure input).
    pub vars: BTreeMap<String, String>,
}

/// What the floor looks like at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Floor {
    pub queues: Vec<QueueNow>,
    pub agents: Vec<AgentNow>,
    pub calls: Vec<CallNow>,
}

/// An alert on the board.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub id: u64,
    pub kind: Kind,
    pub queue: String,
    /// The queue, agent or contact it is about.
    pub subject: String,
    pub raised_at: i64,
    /// The measure that crossed the threshold (ms waited, percent, ms not
    /// ready, ms talking), the worst seen while raised.
    pub value: f64,
    pub threshold: f64,
    pub acked_by: Option<String>,
    pub acked_at: Option<i64>,
}

/// A change to publish.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Raised(Alert),
    Cleared(Alert),
    Acked(Alert),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AckError {
    #[error("no alert {0} on the board")]
    Unknown(u64),
}

/// The alerts raised now.
#[derive(Debug, Default)]
pub struct Board {
    active: BTreeMap<(Kind, String), Alert>,
    /// When each agent was first seen not ready (since the last time ready).
    not_ready_since: HashMap<String, i64>,
    next: u64,
}

impl Board {
    /// Checks the floor at `now` (ms since the Unix epoch) against the
    /// queues' rules (queues without rules get the defaults); returns what
    /// changed, raised before cleared.
    pub fn check(&mut self, now: i64, rules: &HashMap<String, Rules>, floor: &Floor) -> Vec<Change> {
        let default = Rules::default();
        let rules_of = |q: &str| rules.get(q).unwrap_or(&default);
        // Conditions that hold now: (kind, subject) → (queue, value, threshold).
        let mut hold: BTreeMap<(Kind, String), (String, f64, f64)> = BTreeMap::new();
        for q in &floor.queues {
            let r = rules_of(&q.queue);
            if let Some(secs) = r.waiting_secs {
                let limit = f64::from(secs) * 1000.0;
                if q.longest_wait_ms as f64 > limit {
                    hold.insert((Kind::LongWait, q.queue.clone()), (q.queue.clone(), q.longest_wait_ms as f64, limit));
                }
            }
            if r.service_level {
                if let Some(sl) = q.service_level_pct.filter(|sl| *sl < f64::from(q.target_pct)) {
                    hold.insert((Kind::ServiceLevel, q.queue.clone()), (q.queue.clone(), sl, f64::from(q.target_pct)));
                }
            }
        }
        self.not_ready_since.retain(|a, _| floor.agents.iter().any(|x| x.not_ready && &x.agent == a));
        for a in floor.agents.iter().filter(|a| a.not_ready) {
            let since = *self.not_ready_since.entry(a.agent.clone()).or_insert(now);
            let for_ms = (now - since).max(0) as f64;
            // The tightest limit of the agent's queues decides.
            let limit = a.queues.iter().filter_map(|q| rules_of(q).not_ready_secs.map(|s| (q, f64::from(s) * 1000.0))).min_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((queue, limit)) = limit.filter(|(_, l)| for_ms > *l) {
                hold.insert((Kind::NotReady, a.agent.clone()), (queue.clone(), for_ms, limit));
            }
        }
        for c in &floor.calls {
            if let Some((var, value)) = rules_of(&c.queue).flag.as_deref().and_then(|f| f.split_once('=')) {
                if c.vars.get(var.trim()).is_some_and(|v| v == value.trim()) {
                    hold.insert((Kind::Flagged, c.contact.clone()), (c.queue.clone(), 1.0, 1.0));
                }
            }
            if let Some(secs) = rules_of(&c.queue).call_secs {
                let limit = f64::from(secs) * 1000.0;
                if c.talking_ms as f64 > limit {
                    hold.insert((Kind::LongCall, c.contact.clone()), (c.queue.clone(), c.talking_ms as f64, limit));
                }
            }
        }
        let mut changes = Vec::new();
        for (key, (queue, value, threshold)) in hold.iter() {
            match self.active.get_mut(key) {
                Some(a) => a.value = worst(key.0, a.value, *value),
                None => {
                    self.next += 1;
                    let alert = Alert {
                        id: self.next,
                        kind: key.0,
                        queue: queue.clone(),
                        subject: key.1.clone(),
                        raised_at: now,
                        value: *value,
                        threshold: *threshold,
                        acked_by: None,
                        acked_at: None,
                    };
                    self.active.insert(key.clone(), alert.clone());
                    changes.push(Change::Raised(alert));
                }
            }
        }
        let gone: Vec<(Kind, String)> = self.active.keys().filter(|k| !hold.contains_key(*k)).cloned().collect();
        for k in gone {
            if let Some(a) = self.active.remove(&k) {
                changes.push(Change::Cleared(a));
            }
        }
        changes
    }

    /// A supervisor acknowledges alert `id`; acknowledging twice keeps the first.
    pub fn ack(&mut self, id: u64, by: &str, now: i64) -> Result<Change, AckError> {
        let a = self.active.values_mut().find(|a| a.id == id).ok_or(AckError::Unknown(id))?;
        if a.acked_by.is_none() {
            a.acked_by = Some(by.to_owned());
            a.acked_at = Some(now);
        }
        Ok(Change::Acked(a.clone()))
    }

    /// The alerts raised now, oldest first.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut v: Vec<Alert> = self.active.values().cloned().collect();
        v.sort_by_key(|a| a.id);
        v
    }
}

/// The worse of two values of a measure: lower for service level, higher otherwise.
fn worst(kind: Kind, a: f64, b: f64) -> f64 {
    match kind {
        Kind::ServiceLevel => a.min(b),
        _ => a.max(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(wait_ms: u64, sl: Option<f64>) -> QueueNow {
        QueueNow { queue: "sales".into(), longest_wait_ms: wait_ms, service_level_pct: sl, target_pct: 80 }
    }

    fn floor(queues: Vec<QueueNow>) -> Floor {
        Floor { queues, ..Floor::default() }
    }

    fn kinds(c: &[Change]) -> Vec<String> {
        c.iter()
            .map(|c| match c {
                Change::Raised(a) => format!("+{}:{}", a.kind.as_str(), a.subject),
                Change::Cleared(a) => format!("-{}:{}", a.kind.as_str(), a.subject),
                Change::Acked(a) => format!("ack:{}", a.id),
            })
            .collect()
    }

    #[test]
    fn a_caller_waiting_over_five_minutes_raises_one_alert_until_served() {
        let mut b = Board::default();
        let rules = HashMap::new();
        assert!(b.check(0, &rules, &floor(vec![queue(299_000, None)])).is_empty());
        let c = b.check(1_000, &rules, &floor(vec![queue(300_001, None)]));
        assert_eq!(kinds(&c), ["+long_wait:sales"]);
        // Still waiting: no second alert; the worst wait is kept.
        assert!(b.check(2_000, &rules, &floor(vec![queue(301_001, None)])).is_empty());
        assert_eq!(b.alerts()[0].value, 301_001.0);
        assert_eq!(b.alerts()[0].threshold, 300_000.0);
        let c = b.check(3_000, &rules, &floor(vec![queue(0, None)]));
        assert_eq!(kinds(&c), ["-long_wait:sales"]);
        assert!(b.alerts().is_empty());
    }

    #[test]
    fn thresholds_come_from_the_queues_rules_and_can_be_switched_off() {
        let mut b = Board::default();
        let mut rules = HashMap::from([("sales".to_string(), Rules { waiting_secs: Some(2), ..Rules::default() })]);
        assert_eq!(kinds(&b.check(0, &rules, &floor(vec![queue(2_500, None)]))), ["+long_wait:sales"]);
        rules.insert("sales".into(), Rules { waiting_secs: None, service_level: false, ..Rules::default() });
        assert_eq!(kinds(&b.check(1, &rules, &floor(vec![queue(900_000, Some(10.0))]))), ["-long_wait:sales"]);
    }

    #[test]
    fn service_level_under_target_is_an_alert_and_nothing_answered_is_not() {
        let mut b = Board::default();
        let rules = HashMap::new();
        assert!(b.check(0, &rules, &floor(vec![queue(0, None)])).is_empty());
        assert!(b.check(0, &rules, &floor(vec![queue(0, Some(80.0))])).is_empty(), "at target is fine");
        assert_eq!(kinds(&b.check(1, &rules, &floor(vec![queue(0, Some(79.9))]))), ["+service_level:sales"]);
        b.check(2, &rules, &floor(vec![queue(0, Some(50.0))]));
        b.check(3, &rules, &floor(vec![queue(0, Some(70.0))]));
        assert_eq!(b.alerts()[0].value, 50.0, "the worst level seen");
    }

    #[test]
    fn an_agent_not_ready_too_long_counts_from_when_first_seen_so() {
        let mut b = Board::default();
        let rules = HashMap::from([("sales".to_string(), Rules { not_ready_secs: Some(60), ..Rules::default() })]);
        let agent = |nr| Floor { agents: vec![AgentNow { agent: "a1".into(), queues: vec!["sales".into()], not_ready: nr }], ..Floor::default() };
        assert!(b.check(0, &rules, &agent(true)).is_empty());
        assert!(b.check(60_000, &rules, &agent(true)).is_empty());
        assert_eq!(kinds(&b.check(60_001, &rules, &agent(true))), ["+not_ready:a1"]);
        assert_eq!(kinds(&b.check(60_002, &rules, &agent(false))), ["-not_ready:a1"]);
        // Not ready again: counted afresh.
        assert!(b.check(70_000, &rules, &agent(true)).is_empty());
        assert!(b.check(129_000, &rules, &agent(true)).is_empty());
    }

    #[test]
    fn a_long_call_is_an_alert_where_the_queue_sets_a_limit() {
        let mut b = Board::default();
        let call = |ms| Floor { calls: vec![CallNow { contact: "k1".into(), queue: "sales".into(), talking_ms: ms, vars: BTreeMap::new() }], ..Floor::default() };
        assert!(b.check(0, &HashMap::new(), &call(9_999_999)).is_empty(), "no limit by default");
        let rules = HashMap::from([("sales".to_string(), Rules { call_secs: Some(600), ..Rules::default() })]);
        assert_eq!(kinds(&b.check(0, &rules, &call(600_001))), ["+long_call:k1"]);
    }

    #[test]
    fn a_flagged_caller_raises_an_alert_while_connected() {
        let mut b = Board::default();
        let rules = HashMap::from([("sales".to_string(), Rules { flag: Some("lookup.risk = high".into()), ..Rules::default() })]);
        let call = |risk: &str| Floor {
            calls: vec![CallNow { contact: "k1".into(), queue: "sales".into(), talking_ms: 1, vars: BTreeMap::from([("lookup.risk".to_string(), risk.to_string())]) }],
            ..Floor::default()
        };
        assert!(b.check(0, &rules, &call("low")).is_empty());
        assert_eq!(kinds(&b.check(1, &rules, &call("high"))), ["+flagged:k1"]);
        assert!(b.check(2, &rules, &call("high")).is_empty(), "raised once");
        assert_eq!(kinds(&b.check(3, &rules, &Floor::default())), ["-flagged:k1"], "cleared when the call ends");
        assert!(b.check(4, &HashMap::new(), &call("high")).is_empty(), "no flag, no alert");
    }

    #[test]
    fn acknowledging_keeps_the_alert_until_it_clears_and_the_first_ack_wins() {
        let mut b = Board::default();
        let rules = HashMap::new();
        b.check(0, &rules, &floor(vec![queue(400_000, None)]));
        let id = b.alerts()[0].id;
        assert_eq!(b.ack(id + 7, "sup", 1), Err(AckError::Unknown(id + 7)));
        b.ack(id, "sup", 5).unwrap();
        b.ack(id, "other", 9).unwrap();
        let a = &b.alerts()[0];
        assert_eq!((a.acked_by.as_deref(), a.acked_at), (Some("sup"), Some(5)));
        assert!(b.check(10, &rules, &floor(vec![queue(401_000, None)])).is_empty(), "acknowledged, still raised");
        b.check(11, &rules, &floor(vec![]));
        assert_eq!(b.ack(id, "sup", 12), Err(AckError::Unknown(id)), "cleared alerts are gone");
    }

    #[test]
    fn rules_read_from_json_default_each_missing_field() {
        let r: Rules = serde_json::from_str("{}").unwrap();
        assert_eq!(r, Rules::default());
        let r: Rules = serde_json::from_str(r#"{"waiting_secs": null, "call_secs": 900, "flag": "risk=high", "auto_listen": "8006"}"#).unwrap();
        assert_eq!((r.flag.as_deref(), r.auto_listen.as_deref()), (Some("risk=high"), Some("8006")));
        assert_eq!((r.waiting_secs, r.call_secs, r.service_level), (None, Some(900), true));
        assert!(serde_json::from_str::<Rules>(r#"{"wait": 1}"#).is_err());
    }
}

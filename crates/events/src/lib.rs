//! Typed domain events and the in-process bus that carries them.
//!
//! Every state change that someone outside the engine cares about — an agent
//! going ready, a contact queued, offered, answered or abandoned — becomes one
//! [`Event`] wrapped in an [`Envelope`] with a bus-wide sequence number. The
//! bus is a `tokio::sync::broadcast` channel: publishers never wait for slow
//! consumers; a consumer that falls behind is told how many events it missed
//! (and can resume from the sequence number it last saw).
//!
//! Events carry store identifiers (strings), not engine handles: they leave
//! the process (WebSocket, later NATS) and must mean the same thing there.
//! The wire format is the API crate's business; these types are not `Serialize`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

/// One thing that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// An agent's status (intent) or state (system-driven) changed.
    AgentState {
        agent_id: String,
        extension: String,
        status: String,
        reason: Option<String>,
        state: String,
    },
    ContactQueued { contact_id: String, queue_id: String, channel: String },
    ContactOffered { contact_id: String, queue_id: String, agent_id: String, offer_id: String, expires_at: i64 },
    /// An offer ended: `accepted`, `rejected`, `timed_out` or `rescinded`.
    OfferEnded { contact_id: String, agent_id: String, offer_id: String, end: String },
    ContactAnswered { contact_id: String, queue_id: String, agent_id: String, waited_ms: u64 },
    ContactAbandoned { contact_id: String, queue_id: String, waited_ms: u64 },
    ContactOverflowed { contact_id: String, from_queue: String, to_queue: String },
    /// The contact waited longer than its queue allows: `voicemail`, `callback` or `hangup`.
    ContactGaveUp { contact_id: String, queue_id: String, action: String, waited_ms: u64 },
    ContactFinished { contact_id: String, agent_id: String },
    /// The agent put the caller on hold (`held`) or took them back;
    /// `count` holds so far and `total_ms` on hold in all.
    CallHeld { contact_id: String, agent_id: String, held: bool, count: u32, total_ms: u64 },
    /// A supervisor started monitoring the call in `mode` (`listen`,
    /// `whisper`, `barge`), switched mode, or stopped (`mode` is `None`).
    /// `indicator`: whether the agent is shown that the call is monitored
    /// (a center setting per mode); when not, only supervisors see the event.
    CallMonitored { contact_id: String, agent_id: String, supervisor_id: String, mode: Option<String>, indicator: bool },
    /// A supervisor's alert was `raised`, `acked` or `cleared` (kind:
    /// `long_wait`, `service_level`, `not_ready`, `long_call`; subject: the
    /// queue, agent or contact). Only supervisors and admins see it.
    Alert { id: u64, change: String, kind: String, queue_id: String, subject: String, value: f64, threshold: f64, acked_by: Option<String> },
}

impl Event {
    /// The agent this event concerns, if any: used to filter what an agent may see.
    pub fn agent_id(&self) -> Option<&str> {
        match self {
            Event::AgentState { agent_id, .. }
            | Event::ContactOffered { agent_id, .. }
            | Event::OfferEnded { agent_id, .. }
            | Event::ContactAnswered { agent_id, .. }
            | Event::ContactFinished { agent_id, .. }
            | Event::CallHeld { agent_id, .. }
            | Event::CallMonitored { agent_id, .. } => Some(agent_id),
            _ => None,
        }
    }

    /// Whether only supervisors and admins may see this event (a silent
    /// monitor the agent is not told about).
    pub fn supervisors_only(&self) -> bool {
        matches!(self, Event::CallMonitored { indicator: false, .. } | Event::Alert { .. })
    }
}

/// An event with its place in the stream and the time it happened (ms since the Unix epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub seq: u64,
    pub at: i64,
    pub event: Event,
}

/// The bus. Cheap to clone.
#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Arc<Envelope>>,
    inner: Arc<Mutex<Recent>>,
}

/// The last events, for consumers that reconnect (`subscribe_since`).
struct Recent {
    seq: u64,
    keep: usize,
    events: VecDeque<Arc<Envelope>>,
}

/// A subscription that resumes after a known sequence number.
pub struct Resumed {
    /// Kept events after the requested one, oldest first.
    pub replay: Vec<Arc<Envelope>>,
    /// Events published before the oldest kept one that the consumer missed
    /// (0 when the replay is complete).
    pub missed: u64,
    /// Live events after the replay; none is in both.
    pub live: broadcast::Receiver<Arc<Envelope>>,
}

impl EventBus {
    /// A bus that keeps up to `capacity` events for consumers that lag or
    /// reconnect.
    pub fn new(capacity: usize) -> Self {
        let keep = capacity.max(16);
        let (tx, _) = broadcast::channel(keep);
        EventBus { tx, inner: Arc::new(Mutex::new(Recent { seq: 0, keep, events: VecDeque::with_capacity(keep) })) }
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        // A panic elsewhere while holding the lock leaves consistent data.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publishes an event; returns its sequence number. Never waits for a
    /// consumer (the lock is held only to number, keep and send).
    pub fn publish(&self, at: i64, event: Event) -> u64 {
        let mut r = self.recent();
        r.seq += 1;
        let env = Arc::new(Envelope { seq: r.seq, at, event });
        if r.events.len() == r.keep {
            r.events.pop_front();
        }
        r.events.push_back(env.clone());
        // No subscriber is not an error: nobody is listening right now.
        let _ = self.tx.send(env);
        r.seq
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.tx.subscribe()
    }

    /// Subscribes and replays the kept events after `after` (a sequence
    /// number the consumer saw last), with no gap or duplicate between the
    /// replay and the live events.
    pub fn subscribe_since(&self, after: u64) -> Resumed {
        let r = self.recent();
        let live = self.tx.subscribe();
        let replay: Vec<Arc<Envelope>> = r.events.iter().filter(|e| e.seq > after).cloned().collect();
        let first_kept = r.events.front().map_or(r.seq + 1, |e| e.seq);
        let missed = first_kept.saturating_sub(after + 1).min(r.seq.saturating_sub(after));
        Resumed { replay, missed, live }
    }

    /// Sequence number of the last published event.
    pub fn last_seq(&self) -> u64 {
        self.recent().seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_see_events_in_order_with_increasing_seq() {
        let bus = EventBus::new(16);
        let mut rx = bus.subscribe();
        bus.publish(1, Event::ContactQueued { contact_id: "c1".into(), queue_id: "sales".into(), channel: "voice".into() });
        bus.publish(2, Event::ContactAbandoned { contact_id: "c1".into(), queue_id: "sales".into(), waited_ms: 5 });
        let a = rx.recv().await.unwrap();
        let b = rx.recv().await.unwrap();
        assert_eq!((a.seq, b.seq), (1, 2));
        assert!(matches!(b.event, Event::ContactAbandoned { waited_ms: 5, .. }));
        assert_eq!(bus.last_seq(), 2);
    }

    #[tokio::test]
    async fn a_consumer_resumes_after_the_last_event_it_saw() {
        let bus = EventBus::new(16);
        for i in 0..5 {
            bus.publish(i, Event::ContactFinished { contact_id: format!("c{i}"), agent_id: "a".into() });
        }
        let mut r = bus.subscribe_since(3);
        assert_eq!(r.replay.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4, 5]);
        assert_eq!(r.missed, 0);
        bus.publish(9, Event::ContactFinished { contact_id: "c9".into(), agent_id: "a".into() });
        assert_eq!(r.live.recv().await.unwrap().seq, 6, "live events follow the replay without a gap");
        // Too far back: the oldest kept events, and how many were lost.
        for i in 0..20 {
            bus.publish(i, Event::ContactFinished { contact_id: "x".into(), agent_id: "a".into() });
        }
        let r = bus.subscribe_since(2);
        assert_eq!(r.replay.first().map(|e| e.seq), Some(11));
        assert_eq!(r.replay.len(), 16);
        assert_eq!(r.missed, 8, "events 3 to 10 are gone");
        assert!(bus.subscribe_since(26).replay.is_empty());
    }

    #[test]
    fn publishing_without_subscribers_is_fine() {
        let bus = EventBus::new(1);
        assert_eq!(bus.publish(0, Event::ContactFinished { contact_id: "c".into(), agent_id: "a".into() }), 1);
    }

    #[test]
    fn agent_filter_key() {
        let e = Event::OfferEnded { contact_id: "c".into(), agent_id: "a7".into(), offer_id: "1".into(), end: "accepted".into() };
        assert_eq!(e.agent_id(), Some("a7"));
        let q = Event::ContactQueued { contact_id: "c".into(), queue_id: "q".into(), channel: "chat".into() };
        assert_eq!(q.agent_id(), None);
    }
}

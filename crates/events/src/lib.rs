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

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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
}

impl Event {
    /// The agent this event concerns, if any: used to filter what an agent may see.
    pub fn agent_id(&self) -> Option<&str> {
        match self {
            Event::AgentState { agent_id, .. }
            | Event::ContactOffered { agent_id, .. }
            | Event::OfferEnded { agent_id, .. }
            | Event::ContactAnswered { agent_id, .. }
            | Event::ContactFinished { agent_id, .. } => Some(agent_id),
            _ => None,
        }
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
    seq: Arc<AtomicU64>,
}

impl EventBus {
    /// A bus that keeps up to `capacity` events for consumers that lag.
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(16));
        EventBus { tx, seq: Arc::new(AtomicU64::new(0)) }
    }

    /// Publishes an event; returns its sequence number. Never blocks.
    pub fn publish(&self, at: i64, event: Event) -> u64 {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        // No subscriber is not an error: nobody is listening right now.
        let _ = self.tx.send(Arc::new(Envelope { seq, at, event }));
        seq
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.tx.subscribe()
    }

    /// Sequence number of the last published event.
    pub fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
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

//! Queue-log rows in the spirit of Asterisk's `queue_log`: the same verbs and
//! the same meaning of the data fields, so existing queue-log reports can read
//! Hotline's. `OVERFLOW` is ours (Asterisk has no overflow between queues).

use hotline_store::NewQueueEvent;

pub fn row(at: i64, interaction: Option<&str>, queue: Option<&str>, agent: Option<&str>, event: &str, data: Vec<String>) -> NewQueueEvent {
    NewQueueEvent {
        at,
        interaction_id: interaction.map(str::to_owned),
        queue_id: queue.map(str::to_owned),
        agent_id: agent.map(str::to_owned),
        event: event.to_owned(),
        data,
    }
}

/// Whole seconds, as queue_log counts them.
pub fn secs(ms: u64) -> String {
    (ms / 1000).to_string()
}

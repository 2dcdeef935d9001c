//! Asynchronous, batched persistence of what the routing task decided.
//!
//! The routing task never awaits the database: it pushes [`Persist`] records
//! onto an unbounded channel and goes on. One writer task applies them in
//! order, grouping consecutive queue-log rows into one transaction. Order is
//! kept, so an interaction row is always inserted before its updates and
//! before the queue-log rows that name it.

use std::time::Duration;

use hotline_store::{AgentPresence, Interaction, NewQueueEvent, Store, StoreError};
use tokio::sync::mpsc;

#[derive(Debug)]
pub enum Persist {
    InsertInteraction(Interaction),
    UpdateInteraction(Interaction),
    QueueEvent(NewQueueEvent),
    Presence(AgentPresence),
}

/// Starts the writer; it stops when every sender is dropped, after writing what it holds.
pub fn spawn_writer(store: Store, tenant: String, batch: usize) -> (mpsc::UnboundedSender<Persist>, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Persist>();
    let batch = batch.max(1);
    let task = tokio::spawn(async move {
        let mut ops = Vec::with_capacity(batch);
        while let Some(first) = rx.recv().await {
            ops.push(first);
            while ops.len() < batch {
                match rx.try_recv() {
                    Ok(op) => ops.push(op),
                    Err(_) => break,
                }
            }
            write_all(&store, &tenant, std::mem::take(&mut ops)).await;
        }
    });
    (tx, task)
}

async fn write_all(store: &Store, tenant: &str, ops: Vec<Persist>) {
    let mut events: Vec<NewQueueEvent> = Vec::new();
    for op in ops {
        match op {
            Persist::QueueEvent(e) => events.push(e),
            other => {
                flush_events(store, tenant, &mut events).await;
                let what = match &other {
                    Persist::InsertInteraction(_) => "insert interaction",
                    Persist::UpdateInteraction(_) => "update interaction",
                    _ => "save agent presence",
                };
                retry(what, || write_one(store, tenant, &other)).await;
            }
        }
    }
    flush_events(store, tenant, &mut events).await;
}

async fn flush_events(store: &Store, tenant: &str, events: &mut Vec<NewQueueEvent>) {
    if events.is_empty() {
        return;
    }
    let batch = std::mem::take(events);
    retry("append queue log", || async { store.tenant(tenant).append_queue_events(&batch).await }).await;
}

async fn write_one(store: &Store, tenant: &str, op: &Persist) -> Result<(), StoreError> {
    let t = store.tenant(tenant);
    match op {
        Persist::InsertInteraction(i) => t.insert_interaction(i).await,
        Persist::UpdateInteraction(i) => t.update_interaction(i).await,
        Persist::Presence(p) => t.set_presence(p).await,
        Persist::QueueEvent(e) => t.append_queue_events(std::slice::from_ref(e)).await,
    }
}

/// A busy or briefly unreachable database gets three more chances; after
/// that the failure is logged and the writer moves on, so one bad row cannot
/// stall the log behind it.
async fn retry<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    let mut delay = Duration::from_millis(100);
    for attempt in 1..=4 {
        match f().await {
            Ok(()) => return,
            Err(e) if attempt < 4 && is_transient(&e) => {
                tracing::warn!(error = %e, attempt, "{what} failed, retrying");
                tokio::time::sleep(delay).await;
                delay *= 4;
            }
            Err(e) => {
                tracing::error!(error = %e, "{what} failed");
                return;
            }
        }
    }
}

fn is_transient(e: &StoreError) -> bool {
    matches!(e, StoreError::Database(_))
}

//! What the SIP task needs from the database — extensions' credentials,
//! agents' extensions, the dial plan — loaded by a task of its own and
//! handed over as messages, so that signalling never waits on a query
//! (a slow or flooded database cannot stall REGISTER or INVITE).
//!
//! The dial plan is reloaded every second; credentials and extensions
//! every [`FULL_EVERY`] reloads. The API asks for an immediate reload after
//! it changes any of them and is answered once the new state is live.

use std::collections::HashMap;
use std::time::Duration;

use hotline_config::MenuConfig;
use hotline_store::{SipCredential, TenantStore};
use tokio::sync::{mpsc, oneshot};

use super::Server;
use crate::dialplan::DialPlan;

/// Credentials and extensions are read on every this many reloads.
const FULL_EVERY: u32 = 10;

/// One reload's results; `None` where that part was not read or failed.
pub(super) struct Loaded {
    pub plan: Option<DialPlan>,
    pub credentials: Option<Vec<SipCredential>>,
    /// Agent id → extension.
    pub extensions: Option<HashMap<String, String>>,
    /// Answered once the SIP task applied it.
    pub done: Option<oneshot::Sender<()>>,
}

/// Asks the loader for a full reload now.
pub(super) type Trigger = mpsc::UnboundedSender<Option<oneshot::Sender<()>>>;

/// Starts the loader; its results arrive on the returned receiver.
pub(super) fn start(store: TenantStore, menus: Vec<MenuConfig>) -> (Trigger, mpsc::UnboundedReceiver<Loaded>) {
    let (trigger, mut asks) = mpsc::unbounded_channel::<Option<oneshot::Sender<()>>>();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut n: u32 = 0;
        loop {
            let (full, done) = tokio::select! {
                ask = asks.recv() => match ask {
                    Some(done) => (true, done),
                    None => return,
                },
                _ = tick.tick() => {
                    n = n.wrapping_add(1);
                    (n.is_multiple_of(FULL_EVERY), None)
                }
            };
            let loaded = load(&store, &menus, full, done).await;
            if tx.send(loaded).is_err() {
                return;
            }
        }
    });
    (trigger, rx)
}

async fn load(store: &TenantStore, menus: &[MenuConfig], full: bool, done: Option<oneshot::Sender<()>>) -> Loaded {
    let plan = match crate::dialplan::load(store, menus).await {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::warn!(error = %e, "dial plan not reloaded");
            None
        }
    };
    let (credentials, extensions) = if full { read_directory(store).await } else { (None, None) };
    Loaded { plan, credentials, extensions, done }
}

/// Credentials and agents' extensions.
pub(super) async fn read_directory(store: &TenantStore) -> (Option<Vec<SipCredential>>, Option<HashMap<String, String>>) {
    let credentials = store.sip_credentials().await.map_err(|e| tracing::warn!(error = %e, "SIP credentials not reloaded")).ok();
    let extensions = store
        .list_agents()
        .await
        .map(|agents| agents.into_iter().map(|a| (a.id, a.extension)).collect())
        .map_err(|e| tracing::warn!(error = %e, "agent extensions not reloaded"))
        .ok();
    (credentials, extensions)
}

impl Server {
    /// Applies what the loader read.
    pub(super) fn directory_loaded(&mut self, l: Loaded) {
        if let Some(plan) = l.plan {
            self.orch.set_entries(plan.config.entries);
            self.orch.set_queues(plan.config.queues);
            self.orch.set_broadcasts(plan.broadcasts);
            self.music_on_hold = plan.music_on_hold;
        }
        if let Some(rows) = l.credentials {
            self.credentials.replace_all(rows);
        }
        if let Some(extensions) = l.extensions {
            self.extensions = extensions;
        }
        if let Some(done) = l.done {
            let _ = done.send(());
        }
    }
}

//! Asynchronous, batched, lossless persistence of what the routing task
//! decided (and the recording index rows telephony hands it).
//!
//! The routing task never awaits the database: it pushes [`Persist`] records
//! onto an unbounded channel and goes on. One writer task applies them in
//! order, grouping consecutive queue-log rows into one transaction. Order is
//! kept, so an interaction row is always inserted before its updates and
//! before the queue-log rows that name it.
//!
//! Nothing is dropped. A write that fails because the database is away
//! (any error of the connection or the server) stops the line: that record
//! and everything after it wait in a backlog, kept in order in memory and
//! in an append-only journal file (`journal`, one JSON record a line), and
//! the writer tries the oldest again with a growing pause (0.1 s, doubling,
//! at most 5 s). When the database answers again the backlog is replayed in
//! order and the journal removed. A journal left by a process that stopped
//! during an outage is replayed at the next start, before anything new. A
//! record the database refuses for itself (a constraint, say) is not a
//! matter of waiting: it is logged and set aside in `<journal>.rejected`.
//! When every sender is gone the writer drains what it holds (to the
//! database, or to the journal) and stops.

use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use hotline_store::{AgentPresence, Interaction, NewQueueEvent, Recording, Store, StoreError};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Persist {
    InsertInteraction(Interaction),
    UpdateInteraction(Interaction),
    QueueEvent(NewQueueEvent),
    Presence(AgentPresence),
    RecordingStarted(Recording),
    RecordingFinished { id: String, ended_at: i64, duration_ms: i64, sha256: String },
}

const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// Starts the writer; it stops when every sender is dropped, after writing
/// (or journaling) what it holds. `journal`: where the backlog is kept
/// while the database is away (`None`: in memory only).
pub fn spawn_writer(store: Store, tenant: String, batch: usize, journal: Option<PathBuf>) -> (mpsc::UnboundedSender<Persist>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::unbounded_channel::<Persist>();
    let mut w = Writer { store, tenant, batch: batch.max(1), backlog: VecDeque::new(), journal, pause: FIRST_PAUSE };
    let task = tokio::spawn(async move {
        w.recover();
        w.run(rx).await;
    });
    (tx, task)
}

struct Writer {
    store: Store,
    tenant: String,
    batch: usize,
    /// Records not yet written, oldest first (also in the journal when it is set).
    backlog: VecDeque<Persist>,
    journal: Option<PathBuf>,
    pause: Duration,
}

/// What writing one step amounted to.
enum Step {
    Written(usize),
    /// The database is away: try again later.
    Away,
}

impl Writer {
    async fn run(&mut self, mut rx: mpsc::UnboundedReceiver<Persist>) {
        loop {
            if self.backlog.is_empty() {
                let Some(first) = rx.recv().await else { return };
                self.backlog.push_back(first);
            }
            while self.backlog.len() < self.batch.max(self.backlog.len()) + 1 {
                match rx.try_recv() {
                    Ok(op) => self.push(op),
                    Err(_) => break,
                }
            }
            if self.drain().await {
                continue;
            }
            // The database is away: wait, taking new records meanwhile.
            let pause = tokio::time::sleep(self.pause);
            tokio::pin!(pause);
            loop {
                tokio::select! {
                    op = rx.recv() => match op {
                        Some(op) => self.push(op),
                        None => {
                            // Shutting down during an outage: the journal holds the backlog.
                            tracing::warn!(waiting = self.backlog.len(), "stopping with rows waiting for the database (kept in the journal)");
                            return;
                        }
                    },
                    () = &mut pause => break,
                }
            }
            self.pause = (self.pause * 2).min(LONGEST_PAUSE);
        }
    }

    /// Adds a record behind the backlog (and to the journal during an outage).
    fn push(&mut self, op: Persist) {
        if self.in_outage() {
            self.append_journal(std::slice::from_ref(&op));
        }
        self.backlog.push_back(op);
    }

    fn in_outage(&self) -> bool {
        self.pause > FIRST_PAUSE || self.journal.as_deref().is_some_and(Path::exists)
    }

    /// Writes the backlog in order; `false` when the database went away
    /// (the backlog is journaled then).
    async fn drain(&mut self) -> bool {
        while !self.backlog.is_empty() {
            match self.step().await {
                Step::Written(n) => {
                    self.backlog.drain(..n);
                }
                Step::Away => {
                    if !self.in_outage() {
                        let all: Vec<Persist> = self.backlog.iter().cloned().collect();
                        self.append_journal(&all);
                    }
                    if self.pause == FIRST_PAUSE {
                        self.pause = FIRST_PAUSE * 2;
                    }
                    return false;
                }
            }
        }
        if self.in_outage() {
            tracing::info!("the database is back: every waiting row is written");
            self.remove_journal();
        }
        self.pause = FIRST_PAUSE;
        true
    }

    /// Writes the oldest record (queue-log rows in front together).
    async fn step(&mut self) -> Step {
        let t = self.store.tenant(&self.tenant);
        let events: Vec<NewQueueEvent> = self
            .backlog
            .iter()
            .take(self.batch)
            .map_while(|op| match op {
                Persist::QueueEvent(e) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let (n, result, what) = if !events.is_empty() {
            (events.len(), t.append_queue_events(&events).await, "append queue log")
        } else {
            let Some(op) = self.backlog.front() else { return Step::Written(0) };
            let result = match op {
                Persist::InsertInteraction(i) => t.insert_interaction(i).await,
                Persist::UpdateInteraction(i) => t.update_interaction(i).await,
                Persist::Presence(p) => t.set_presence(p).await,
                Persist::RecordingStarted(r) => t.insert_recording(r).await,
                Persist::RecordingFinished { id, ended_at, duration_ms, sha256 } => t.finish_recording(id, *ended_at, *duration_ms, sha256).await,
                Persist::QueueEvent(e) => t.append_queue_events(std::slice::from_ref(e)).await,
            };
            (1, result, "write")
        };
        match result {
            Ok(()) => Step::Written(n),
            // Written before the database went away (a replay after a lost answer).
            Err(StoreError::Conflict { .. }) => Step::Written(n),
            Err(e) if is_away(&e) => {
                tracing::warn!(error = %e, waiting = self.backlog.len(), "{what} failed: the database is away, rows wait in order");
                Step::Away
            }
            Err(e) => {
                tracing::error!(error = %e, "{what} refused by the database: set aside");
                let refused: Vec<Persist> = self.backlog.iter().take(n).cloned().collect();
                self.set_aside(&refused, &e);
                Step::Written(n)
            }
        }
    }

    /// Reads a journal left by an earlier run into the backlog.
    fn recover(&mut self) {
        let Some(path) = &self.journal else { return };
        let Ok(file) = std::fs::File::open(path) else { return };
        let mut bad = 0;
        for line in std::io::BufReader::new(file).lines() {
            match line.ok().and_then(|l| serde_json::from_str::<Persist>(&l).ok()) {
                Some(op) => self.backlog.push_back(op),
                // A line cut short by a crash mid-write: the rest still counts.
                None => bad += 1,
            }
        }
        tracing::warn!(rows = self.backlog.len(), unreadable = bad, journal = %path.display(), "replaying rows kept while the database was away");
    }

    fn append_journal(&self, ops: &[Persist]) {
        let Some(path) = &self.journal else { return };
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
            let mut buf = Vec::new();
            for op in ops {
                serde_json::to_writer(&mut buf, op).map_err(std::io::Error::other)?;
                buf.push(b'\n');
            }
            f.write_all(&buf)?;
            f.sync_data()
        };
        if let Err(e) = write() {
            tracing::error!(error = %e, journal = %path.display(), "journal not written: rows wait in memory only");
        }
    }

    fn remove_journal(&self) {
        if let Some(path) = &self.journal {
            if let Err(e) = std::fs::remove_file(path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::error!(error = %e, journal = %path.display(), "journal not removed");
                }
            }
        }
    }

    fn set_aside(&self, ops: &[Persist], why: &StoreError) {
        let Some(path) = &self.journal else { return };
        let aside = path.with_extension("rejected");
        let line = ops.iter().filter_map(|op| serde_json::to_string(&(op, why.to_string())).ok()).collect::<Vec<_>>().join("\n");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&aside)?;
            writeln!(f, "{line}")
        };
        if let Err(e) = write() {
            tracing::error!(error = %e, "refused rows not set aside");
        }
    }
}

/// Errors of the connection or the server (the database is away or
/// overloaded), as opposed to a record the database refuses for itself.
fn is_away(e: &StoreError) -> bool {
    e.is_unavailable()
}

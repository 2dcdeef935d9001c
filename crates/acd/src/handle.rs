//! The public face of the ACD: a cloneable handle that sends commands to the
//! routing task and waits for its answer.

use hotline_routing::QueueStats;
use tokio::sync::{mpsc, oneshot};

use crate::error::AcdError;

/// What an agent (or a supervisor for them) asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusRequest {
    Available,
    NotReady { reason: String },
    LoggedOut,
}

/// A contact to route (a call from the telephony layer, a chat, an email,
/// or a task submitted through the API).
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    /// The interaction id to use; `None` makes a new UUID v7. The telephony
    /// layer chooses it so that it knows the contact before routing answers.
    pub id: Option<String>,
    pub queue_id: String,
    /// `voice`, `chat` or `email`.
    pub channel: String,
    pub customer_id: Option<String>,
    pub from_addr: Option<String>,
    pub to_addr: Option<String>,
    pub sip_call_id: Option<String>,
    /// Skill id → minimum proficiency (1–10).
    pub skills: Vec<(String, u8)>,
    /// Language (a skill of kind `language`), e.g. `yue`.
    pub language: Option<String>,
    pub priority: u32,
    /// Customer tier (0 = normal, 3 = VIP): raises the contact's priority.
    pub tier: u8,
    /// The agent who last served this customer: gets first refusal.
    pub last_agent: Option<String>,
    /// What the caller told the IVR, kept with the interaction.
    pub ivr: std::collections::BTreeMap<String, String>,
}

/// An agent as the routing engine sees them now.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSnapshot {
    pub agent_id: String,
    pub extension: String,
    pub name: String,
    /// `available`, `not_ready` or `logged_out`.
    pub status: String,
    pub reason: Option<String>,
    /// `idle`, `reserved`, `busy` or `wrap_up`.
    pub state: String,
    pub offer: Option<OfferSnapshot>,
    /// Interaction ids the agent is handling.
    pub active: Vec<String>,
    /// Those of them that are voice contacts (calls).
    pub active_voice: Vec<String>,
    pub handled_today: u32,
    pub wrap_up_until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OfferSnapshot {
    pub offer_id: String,
    pub contact_id: String,
    /// `voice`, `chat` or `email`.
    pub channel: String,
    pub queue_id: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueueSnapshot {
    pub queue_id: String,
    pub stats: QueueStats,
}

type Reply<T> = oneshot::Sender<Result<T, AcdError>>;

pub(crate) enum Command {
    SetStatus { agent_id: String, status: StatusRequest, reply: Reply<AgentSnapshot> },
    Submit { contact: NewContact, reply: Reply<String> },
    Accept { offer_id: String, agent_id: Option<String>, reply: Reply<AgentSnapshot> },
    Reject { offer_id: String, agent_id: Option<String>, reply: Reply<AgentSnapshot> },
    Finish { contact_id: String, agent_id: Option<String>, wrap_up_code: Option<String>, cause: Option<String>, reply: Reply<()> },
    EndWrapUp { agent_id: String, reply: Reply<AgentSnapshot> },
    Abandon { contact_id: String, cause: Option<String>, reply: Reply<()> },
    Agent { agent_id: String, reply: Reply<AgentSnapshot> },
    Agents { reply: Reply<Vec<AgentSnapshot>> },
    Place { contact_id: String, reply: Reply<Option<hotline_routing::Place>> },
    Interaction { id: String, reply: Reply<Option<hotline_store::Interaction>> },
    Queues { reply: Reply<Vec<QueueSnapshot>> },
    ReloadQueue { queue: hotline_store::Queue, reply: Reply<()> },
    ReloadAgent { agent: hotline_store::Agent, reply: Reply<()> },
    /// A row for the persistence writer, in order with routing's own.
    Persist(crate::persist::Persist),
    /// Stop routing; the writer drains what it holds.
    Stop,
}

/// Sends commands to the routing task. Cheap to clone.
#[derive(Clone)]
pub struct AcdHandle {
    pub(crate) tx: mpsc::Sender<Command>,
}

impl AcdHandle {
    /// Writes a recording's index row through the lossless writer.
    pub async fn recording_started(&self, r: hotline_store::Recording) {
        let _ = self.tx.send(Command::Persist(crate::persist::Persist::RecordingStarted(r))).await;
    }

    /// Completes a recording's index row through the lossless writer.
    pub async fn recording_finished(&self, id: String, ended_at: i64, duration_ms: i64, sha256: String) {
        let _ = self.tx.send(Command::Persist(crate::persist::Persist::RecordingFinished { id, ended_at, duration_ms, sha256 })).await;
    }

    /// Stops routing; the returned task of [`crate::start`] ends once the
    /// writer has written (or journaled) every row.
    pub async fn stop(&self) {
        let _ = self.tx.send(Command::Stop).await;
    }

    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T, AcdError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(make(reply)).await.map_err(|_| AcdError::Stopped)?;
        rx.await.map_err(|_| AcdError::Stopped)?
    }

    /// Logs an agent in (if needed) and sets their status.
    pub async fn set_status(&self, agent_id: &str, status: StatusRequest) -> Result<AgentSnapshot, AcdError> {
        let agent_id = agent_id.to_owned();
        self.ask(|reply| Command::SetStatus { agent_id, status, reply }).await
    }

    /// Queues a contact; returns its interaction id.
    pub async fn submit(&self, contact: NewContact) -> Result<String, AcdError> {
        self.ask(|reply| Command::Submit { contact, reply }).await
    }

    /// Accepts an offer. With `agent_id`, the offer must be that agent's.
    pub async fn accept(&self, offer_id: &str, agent_id: Option<&str>) -> Result<AgentSnapshot, AcdError> {
        let (offer_id, agent_id) = (offer_id.to_owned(), agent_id.map(str::to_owned));
        self.ask(|reply| Command::Accept { offer_id, agent_id, reply }).await
    }

    /// Declines an offer (counts as a missed offer).
    pub async fn reject(&self, offer_id: &str, agent_id: Option<&str>) -> Result<AgentSnapshot, AcdError> {
        let (offer_id, agent_id) = (offer_id.to_owned(), agent_id.map(str::to_owned));
        self.ask(|reply| Command::Reject { offer_id, agent_id, reply }).await
    }

    /// Ends a handled contact; the agent goes to wrap-up.
    pub async fn finish(&self, contact_id: &str, agent_id: Option<&str>, wrap_up_code: Option<String>) -> Result<(), AcdError> {
        let (contact_id, agent_id) = (contact_id.to_owned(), agent_id.map(str::to_owned));
        self.ask(|reply| Command::Finish { contact_id, agent_id, wrap_up_code, cause: None, reply }).await
    }

    /// Ends an answered call with a hang-up cause (`normal_clearing`, ...).
    pub async fn finish_call(&self, contact_id: &str, cause: &str) -> Result<(), AcdError> {
        let (contact_id, cause) = (contact_id.to_owned(), Some(cause.to_owned()));
        self.ask(|reply| Command::Finish { contact_id, agent_id: None, wrap_up_code: None, cause, reply }).await
    }

    /// A caller left before being served, with a hang-up cause.
    pub async fn abandon_call(&self, contact_id: &str, cause: &str) -> Result<(), AcdError> {
        let (contact_id, cause) = (contact_id.to_owned(), Some(cause.to_owned()));
        self.ask(|reply| Command::Abandon { contact_id, cause, reply }).await
    }

    /// Ends an agent's wrap-up early.
    pub async fn end_wrap_up(&self, agent_id: &str) -> Result<AgentSnapshot, AcdError> {
        let agent_id = agent_id.to_owned();
        self.ask(|reply| Command::EndWrapUp { agent_id, reply }).await
    }

    /// The customer left before being served.
    pub async fn abandon(&self, contact_id: &str) -> Result<(), AcdError> {
        let contact_id = contact_id.to_owned();
        self.ask(|reply| Command::Abandon { contact_id, cause: None, reply }).await
    }

    pub async fn agent(&self, agent_id: &str) -> Result<AgentSnapshot, AcdError> {
        let agent_id = agent_id.to_owned();
        self.ask(|reply| Command::Agent { agent_id, reply }).await
    }

    /// Where a waiting contact stands in its queue, with its estimated wait;
    /// `None` once it is answered or gone.
    pub async fn place(&self, contact_id: &str) -> Result<Option<hotline_routing::Place>, AcdError> {
        let contact_id = contact_id.to_owned();
        self.ask(|reply| Command::Place { contact_id, reply }).await
    }

    /// The interaction row of a live contact as routing holds it now (its
    /// database row is written asynchronously and may lag); `None` once the
    /// contact has left routing.
    pub async fn interaction(&self, id: &str) -> Result<Option<hotline_store::Interaction>, AcdError> {
        let id = id.to_owned();
        self.ask(|reply| Command::Interaction { id, reply }).await
    }

    pub async fn agents(&self) -> Result<Vec<AgentSnapshot>, AcdError> {
        self.ask(|reply| Command::Agents { reply }).await
    }

    /// Live statistics of every queue.
    pub async fn queues(&self) -> Result<Vec<QueueSnapshot>, AcdError> {
        self.ask(|reply| Command::Queues { reply }).await
    }

    /// Applies a created or changed queue; waiting contacts keep their place.
    pub async fn reload_queue(&self, queue: hotline_store::Queue) -> Result<(), AcdError> {
        self.ask(|reply| Command::ReloadQueue { queue, reply }).await
    }

    /// Applies a created or changed agent (skills, queues, capacity).
    pub async fn reload_agent(&self, agent: hotline_store::Agent) -> Result<(), AcdError> {
        self.ask(|reply| Command::ReloadAgent { agent, reply }).await
    }
}

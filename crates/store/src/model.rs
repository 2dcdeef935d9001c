//! The rows the store reads and writes.
//!
//! Times are milliseconds since the Unix epoch (UTC). Ids are slugs (`sales`)
//! for configuration (queues, skills, reason and wrap-up codes) and UUID v7
//! strings for everything else.

use serde::{Deserialize, Serialize};

/// A web user. Passwords are hashed by the caller (argon2id PHC string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    /// `agent`, `supervisor`, `admin`, `qa`, `auditor`.
    pub roles: Vec<String>,
    /// The agent this user works as, if any.
    pub agent_id: Option<String>,
    pub enabled: bool,
    pub created_at: i64,
}

/// What it takes to create a [`User`]; the store assigns id and creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<String>,
    pub agent_id: Option<String>,
}

/// A login session. Only the hash of the bearer token is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub created_at: i64,
    /// The absolute end.
    pub expires_at: i64,
    pub ip: Option<String>,
    /// When it was last used (it ends when idle too long).
    pub last_seen_at: i64,
    /// Opened with a default password: it may only change the password.
    pub password_change_required: bool,
    /// A role that must use a second factor, none set up yet: it may only set one up.
    pub enrolment_required: bool,
}

/// A user's second factor (TOTP).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserTotp {
    /// The confirmed secret (base32); `None`: no second factor.
    pub secret: Option<String>,
    /// A secret waiting for its first code.
    pub pending: Option<String>,
    /// The last time step a code was used for.
    pub last_step: Option<i64>,
    /// SHA-256 hashes of the unused recovery codes.
    pub recovery: Vec<String>,
}

/// A routing skill or a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    pub id: String,
    pub name: String,
    /// `skill` or `language`.
    pub kind: String,
    pub created_at: i64,
}

/// One skill requirement of a routing step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSkill {
    pub skill: String,
    /// 1–10.
    pub min_level: u8,
}

/// One step of a queue's routing plan; a contact moves to the next step when
/// `timeout_secs` passes without an agent. No skills means any agent of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    #[serde(default)]
    pub skills: Vec<StepSkill>,
    /// How many levels the contact's own skill requirements are lowered by.
    #[serde(default)]
    pub relax_contact_levels: u8,
    /// Ignore the contact's own skill requirements.
    #[serde(default)]
    pub drop_contact_skills: bool,
    #[serde(default)]
    pub timeout_secs: Option<u32>,
}

/// A queue and its routing policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub id: String,
    pub name: String,
    /// `voice`, `chat` or `email`.
    pub channel: String,
    /// `longest_idle`, `least_occupied`, `round_robin` or `best_skill`.
    pub strategy: String,
    pub steps: Vec<Step>,
    pub service_level_secs: u32,
    /// 0–100.
    pub service_level_target_pct: u8,
    pub sl_window_secs: u32,
    pub offer_timeout_secs: u32,
    pub wrap_up_secs: u32,
    pub max_missed_offers: u32,
    pub aging_per_sec: u32,
    pub vip_boost: u32,
    pub sticky_secs: u32,
    pub max_wait_secs: Option<u32>,
    /// `voicemail`, `callback` or `hangup`.
    pub give_up_action: String,
    pub overflow_queue: Option<String>,
    pub overflow_after_secs: Option<u32>,
    pub overflow_when_no_agents: bool,
    pub enabled: bool,
    /// What callers hear and may do while they wait (voice queues).
    pub caller: CallerExperience,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a voice queue's callers hear and may do while they wait, and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallerExperience {
    /// Prompt looped while waiting. Default `moh`.
    pub music_on_hold: String,
    /// Tell callers their place and estimated wait this often.
    pub announce_every_secs: Option<u32>,
    /// After this long, callers may press `callback_key` to hang up and be
    /// called back without losing their place (virtual hold).
    pub callback_after_secs: Option<u32>,
    pub callback_key: char,
    /// Played after each announcement ("your call is important to us").
    pub comfort_prompt: Option<String>,
    /// An IVR flow the caller is moved to when the agent hangs up.
    pub survey_flow: Option<String>,
}

impl Default for CallerExperience {
    fn default() -> Self {
        CallerExperience { music_on_hold: "moh".into(), announce_every_secs: None, callback_after_secs: None, callback_key: '1', comfort_prompt: None, survey_flow: None }
    }
}

/// How many contacts of each channel an agent handles at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    pub voice: u8,
    pub chat: u8,
    pub email: u8,
}

/// An agent's level (1–10) in one skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSkill {
    pub skill: String,
    pub level: u8,
}

/// An agent: a phone extension with skills, languages and queue memberships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: String,
    pub extension: String,
    pub name: String,
    /// Kept in the given order.
    pub skills: Vec<AgentSkill>,
    /// Ids of skills of kind `language`.
    pub languages: Vec<String>,
    /// Ids of the queues the agent serves.
    pub queues: Vec<String>,
    pub capacity: Capacity,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Why an agent is not ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonCode {
    pub id: String,
    pub label: String,
    /// Counts as paid time.
    pub paid: bool,
}

/// How an interaction ended, chosen by the agent during wrap-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrapUpCode {
    pub id: String,
    pub label: String,
    pub category: String,
}

/// A customer, found by any of its phone numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phones: Vec<String>,
    pub email: Option<String>,
    /// 0 = normal … 3 = VIP.
    pub tier: u8,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One contact (call, chat, email) from arrival to end.
/// Serializable for the persistence writer's journal (never the API's wire format).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Interaction {
    pub id: String,
    pub channel: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    pub queue_id: Option<String>,
    pub agent_id: Option<String>,
    pub customer_id: Option<String>,
    pub from_addr: Option<String>,
    pub to_addr: Option<String>,
    pub sip_call_id: Option<String>,
    pub priority: i64,
    pub arrived_at: i64,
    pub enqueued_at: Option<i64>,
    pub offered_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// `answered`, `abandoned`, `overflowed`, `gave_up`, …
    pub outcome: Option<String>,
    pub hangup_cause: Option<String>,
    pub wrap_up_code: Option<String>,
    pub notes: Option<String>,
    /// What the caller told the IVR (menu choices, digits, lookup results).
    pub ivr: std::collections::BTreeMap<String, String>,
}

/// One row of the queue log (Asterisk `queue_log` verbs such as
/// `ENTERQUEUE`, `CONNECT`, `ABANDON`, `PAUSE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEvent {
    /// Increases with every row written.
    pub id: i64,
    pub at: i64,
    pub interaction_id: Option<String>,
    pub queue_id: Option<String>,
    pub agent_id: Option<String>,
    pub event: String,
    pub data: Vec<String>,
}

/// A queue-log row to append.
/// Serializable for the persistence writer's journal (never the API's wire format).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewQueueEvent {
    pub at: i64,
    pub interaction_id: Option<String>,
    pub queue_id: Option<String>,
    pub agent_id: Option<String>,
    pub event: String,
    pub data: Vec<String>,
}

/// One row of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    /// Who acted (a user id or name); `None` for the system or an anonymous caller.
    pub actor: Option<String>,
    /// What happened, e.g. `login.failed`, `queue.update`.
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

/// An audit-log row to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

/// An agent's last status, restored after a restart.
/// Serializable for the persistence writer's journal (never the API's wire format).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgentPresence {
    pub agent_id: String,
    /// `available`, `not_ready` or `logged_out`.
    pub status: String,
    /// The reason code when not ready.
    pub reason: Option<String>,
    pub updated_at: i64,
}

/// What [`Store::seed_demo`](crate::Store::seed_demo) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeedReport {
    /// Rows created by this run.
    pub created: u32,
    /// Rows that already existed and were left alone.
    pub skipped: u32,
}

/// A migration applied by [`Store::migrate`](crate::Store::migrate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub version: i64,
    pub name: String,
}

/// Digest credentials of an agent's SIP extension: HA1 values only.
#[derive(Clone, PartialEq, Eq)]
pub struct SipCredential {
    pub extension: String,
    pub realm: String,
    /// Hex MD5 of `extension:realm:password`.
    pub ha1_md5: String,
    /// Hex SHA-256 of `extension:realm:password` (RFC 8760).
    pub ha1_sha256: String,
    pub updated_at: i64,
}

impl std::fmt::Debug for SipCredential {
    /// HA1 values are password equivalents for their realm: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipCredential")
            .field("extension", &self.extension)
            .field("realm", &self.realm)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

/// The index row of one call recording.
/// Serializable for the persistence writer's journal (never the API's wire format).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recording {
    pub id: String,
    pub interaction_id: String,
    /// The caller's number as received (masked when shown to most roles).
    pub customer_number: Option<String>,
    pub agent_id: Option<String>,
    pub started_at: i64,
    /// `None` while recording, or if the process stopped before the end.
    pub ended_at: Option<i64>,
    pub duration_ms: Option<i64>,
    /// Where the recording store keeps the file (relative to its root).
    pub path: String,
    /// e.g. `wav/pcm_s16le/8000/stereo`.
    pub format: String,
    /// Hex SHA-256 of the finished file.
    pub sha256: Option<String>,
}

/// One saved version of an IVR flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowVersion {
    pub flow_id: String,
    pub version: i64,
    /// The flow document as JSON text.
    pub document: String,
    /// `None` while a draft.
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub created_by: Option<String>,
}

/// An emergency broadcast on a number: played to every caller before the
/// menu, or instead of it (then the caller is hung up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    pub number: String,
    /// A prompt name or spoken text (`tts:cmn:...`).
    pub prompt: String,
    pub instead: bool,
    pub updated_at: i64,
    /// The user who switched it on.
    pub updated_by: Option<String>,
}

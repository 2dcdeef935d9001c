//! The wire format. Only this crate knows it: domain and store types are
//! converted here, so the API can stay stable while the insides change.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// Lets a PATCH tell "leave as is" (field absent) from "clear" (`null`).
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The authenticator's six digits, or a recovery code, for users with
    /// a second factor.
    #[serde(default)]
    pub otp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token; also set as the `hotline_session` cookie.
    pub token: String,
    /// Milliseconds since the Unix epoch.
    pub expires_at: i64,
    pub user: Me,
    /// Signed in with a default password: change it (`POST /api/v1/me/password`)
    /// before anything else.
    pub password_change_required: bool,
    /// The user's role must use a second factor and none is set up: set it
    /// up (`POST /api/v1/me/totp`) before anything else.
    pub second_factor_enrolment_required: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub agent_id: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum SkillKind {
    Skill,
    Language,
}

#[derive(Serialize, ToSchema)]
pub struct SkillDto {
    pub id: String,
    pub name: String,
    pub kind: SkillKind,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSkill {
    /// Lower-case slug: letters, digits, `_` and `-`.
    pub id: String,
    pub name: String,
    #[serde(default = "default_kind")]
    pub kind: SkillKind,
}

fn default_kind() -> SkillKind {
    SkillKind::Skill
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSkill {
    pub name: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    LongestIdle,
    LeastOccupied,
    RoundRobin,
    BestSkill,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum GiveUpAction {
    Voicemail,
    Callback,
    Hangup,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Voice,
    Chat,
    Email,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct SkillRequirement {
    pub skill: String,
    /// Minimum proficiency, 1–10.
    pub min_level: u8,
}

/// One routing step: who may take the contact while it applies.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct StepDto {
    #[serde(default)]
    pub skills: Vec<SkillRequirement>,
    /// Lower each of the contact's own minimum levels by this much.
    #[serde(default)]
    pub relax_contact_levels: u8,
    /// Ignore the contact's own skill requirements in this step.
    #[serde(default)]
    pub drop_contact_skills: bool,
    /// Seconds in queue after which the next step applies; absent on the last step.
    pub timeout_secs: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct QueueDto {
    pub id: String,
    pub name: String,
    pub channel: Channel,
    pub strategy: Strategy,
    pub steps: Vec<StepDto>,
    pub service_level_secs: u32,
    pub service_level_target_pct: u8,
    pub sl_window_secs: u32,
    pub offer_timeout_secs: u32,
    pub wrap_up_secs: u32,
    pub max_missed_offers: u32,
    pub aging_per_sec: u32,
    pub vip_boost: u32,
    pub sticky_secs: u32,
    pub max_wait_secs: Option<u32>,
    pub give_up_action: GiveUpAction,
    pub overflow_queue: Option<String>,
    pub overflow_after_secs: Option<u32>,
    pub overflow_when_no_agents: bool,
    pub enabled: bool,
    /// What callers hear and may do while they wait (voice queues).
    pub caller_experience: CallerExperienceDto,
}

/// Every field but `id` and `name` has a default.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQueue {
    pub id: String,
    pub name: String,
    pub channel: Option<Channel>,
    pub strategy: Option<Strategy>,
    pub steps: Option<Vec<StepDto>>,
    pub service_level_secs: Option<u32>,
    pub service_level_target_pct: Option<u8>,
    pub sl_window_secs: Option<u32>,
    pub offer_timeout_secs: Option<u32>,
    pub wrap_up_secs: Option<u32>,
    pub max_missed_offers: Option<u32>,
    pub aging_per_sec: Option<u32>,
    pub vip_boost: Option<u32>,
    pub sticky_secs: Option<u32>,
    pub max_wait_secs: Option<u32>,
    pub give_up_action: Option<GiveUpAction>,
    pub overflow_queue: Option<String>,
    pub overflow_after_secs: Option<u32>,
    pub overflow_when_no_agents: Option<bool>,
    pub enabled: Option<bool>,
    pub caller_experience: Option<CallerExperienceDto>,
}

/// Absent fields stay as they are; `null` clears the optional ones.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PatchQueue {
    pub name: Option<String>,
    pub channel: Option<Channel>,
    pub strategy: Option<Strategy>,
    pub steps: Option<Vec<StepDto>>,
    pub service_level_secs: Option<u32>,
    pub service_level_target_pct: Option<u8>,
    pub sl_window_secs: Option<u32>,
    pub offer_timeout_secs: Option<u32>,
    pub wrap_up_secs: Option<u32>,
    pub max_missed_offers: Option<u32>,
    pub aging_per_sec: Option<u32>,
    pub vip_boost: Option<u32>,
    pub sticky_secs: Option<u32>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u32>)]
    pub max_wait_secs: Option<Option<u32>>,
    pub give_up_action: Option<GiveUpAction>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub overflow_queue: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<u32>)]
    pub overflow_after_secs: Option<Option<u32>>,
    pub overflow_when_no_agents: Option<bool>,
    pub enabled: Option<bool>,
    pub caller_experience: Option<CallerExperienceDto>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct AgentSkillDto {
    pub skill: String,
    /// Proficiency, 1–10.
    pub level: u8,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct CapacityDto {
    /// 0 or 1: a call is exclusive.
    pub voice: u8,
    /// Chats at once.
    pub chat: u8,
    /// Emails at once.
    pub email: u8,
}

#[derive(Serialize, ToSchema)]
pub struct AgentDto {
    pub id: String,
    pub extension: String,
    pub name: String,
    pub skills: Vec<AgentSkillDto>,
    pub languages: Vec<String>,
    pub queues: Vec<String>,
    pub capacity: CapacityDto,
    pub enabled: bool,
    /// The team the agent is in, if any.
    pub team: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub extension: String,
    pub name: String,
    #[serde(default)]
    pub skills: Vec<AgentSkillDto>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub queues: Vec<String>,
    pub capacity: Option<CapacityDto>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PatchAgent {
    pub name: Option<String>,
    pub skills: Option<Vec<AgentSkillDto>>,
    pub languages: Option<Vec<String>>,
    pub queues: Option<Vec<String>>,
    pub capacity: Option<CapacityDto>,
    pub enabled: Option<bool>,
    /// A team's id, or `""` for none.
    pub team: Option<String>,
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum RequestedState {
    Available,
    NotReady,
    LoggedOut,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAgentState {
    pub state: RequestedState,
    /// Reason code id; required with `not_ready`.
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OfferDto {
    pub offer_id: String,
    pub contact_id: String,
    pub queue_id: String,
    pub expires_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AgentStateDto {
    pub agent_id: String,
    pub extension: String,
    pub name: String,
    /// The agent's intent: `available`, `not_ready` or `logged_out`.
    pub status: String,
    pub reason: Option<String>,
    /// What the system is doing with them: `idle`, `reserved`, `busy` or `wrap_up`.
    pub state: String,
    pub offer: Option<OfferDto>,
    /// Interaction ids being handled.
    pub active: Vec<String>,
    pub handled_today: u32,
    pub wrap_up_until: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AgentCounts {
    pub logged_in: u32,
    pub available: u32,
    pub idle: u32,
    pub reserved: u32,
    pub busy: u32,
    pub wrap_up: u32,
    pub not_ready: u32,
}

/// Live statistics of one queue, straight from the routing engine.
#[derive(Serialize, ToSchema)]
pub struct QueueStatsDto {
    pub queue_id: String,
    pub waiting: u32,
    pub longest_wait_ms: u64,
    /// Counted over the queue's members.
    pub agents: AgentCounts,
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Percent answered within the threshold, over the sliding window (see ARCHITECTURE.md).
    pub service_level_pct: Option<f64>,
    pub service_level_target_pct: u8,
    pub answered_in_window: u32,
    pub abandoned_in_window: u32,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactReq {
    pub queue: String,
    pub channel: Channel,
    pub customer_id: Option<String>,
    /// Caller number or address; the customer is looked up by it.
    pub from: Option<String>,
    #[serde(default)]
    pub skills: Vec<SkillRequirement>,
    pub language: Option<String>,
    #[serde(default)]
    pub priority: u32,
}

#[derive(Serialize, ToSchema)]
pub struct ContactCreated {
    pub contact_id: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FinishReq {
    pub wrap_up_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReasonCodeDto {
    pub id: String,
    pub label: String,
    pub paid: bool,
}

#[derive(Serialize, ToSchema)]
pub struct WrapUpCodeDto {
    pub id: String,
    pub label: String,
    pub category: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditDto {
    pub id: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// What a voice queue's callers hear and may do while they wait, and after.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallerExperienceDto {
    /// Prompt looped while waiting (a prompt name). Default `moh`.
    #[serde(default = "default_moh")]
    pub music_on_hold: String,
    /// Announce the caller's place and estimated wait this often (10–600 s).
    #[serde(default)]
    pub announce_every_secs: Option<u32>,
    /// After this long in the queue, offer a callback (virtual hold), 10–3600 s.
    #[serde(default)]
    pub callback_after_secs: Option<u32>,
    /// The key that asks for the callback. Default `1`.
    #[serde(default = "default_callback_key")]
    pub callback_key: String,
    /// Played after each announcement: a prompt name or `tts:<voice>:<text>`.
    #[serde(default)]
    pub comfort_prompt: Option<String>,
    /// A published IVR flow the caller is moved to when the agent hangs up.
    #[serde(default)]
    pub survey_flow: Option<String>,
}

fn default_moh() -> String {
    "moh".into()
}

fn default_callback_key() -> String {
    "1".into()
}

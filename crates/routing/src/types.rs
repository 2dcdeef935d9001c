//! Public domain types: identifiers, configuration, inputs, outputs and views.

pub use hotline_clock::Time;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident($t:ty)) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $t);
    };
}

id_type!(/// An agent, chosen by the driver.
    AgentId(u32));
id_type!(/// A contact (call, chat or email), chosen by the driver.
    ContactId(u64));
id_type!(/// A queue, chosen by the driver.
    QueueId(u32));
id_type!(/// A skill (languages are skills too), chosen by the driver.
    SkillId(u32));
id_type!(/// An offer (reservation), numbered by the engine from 1.
    OfferId(u64));

/// The media of a contact; decides the capacity rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Voice,
    Chat,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Voice, Channel::Chat, Channel::Email];
    pub(crate) fn index(self) -> usize {
        match self {
            Channel::Voice => 0,
            Channel::Chat => 1,
            Channel::Email => 2,
        }
    }
}

/// Which free agent gets a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// The agent free for the longest time ("ready since", see crate docs).
    LongestIdle,
    /// The agent with the fewest contacts handled today, then longest idle.
    LeastOccupied,
    /// Rotation: the agent who was offered a contact of this queue least recently.
    RoundRobin,
    /// Highest summed proficiency in the skills the contact needs, then longest idle.
    BestSkill,
}

/// What happens to a contact that waited `max_wait_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GiveUpAction {
    Voicemail,
    Callback,
    Hangup,
}

/// Minimum proficiency in one skill (proficiency is 1..=10; an agent without the skill has 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SkillReq {
    pub skill: SkillId,
    pub min_level: u8,
}

/// A boolean expression over skills. `All(vec![])` is true, `AnyOf(vec![])` is false.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SkillExpr {
    Any,
    Skill(SkillReq),
    All(Vec<SkillExpr>),
    AnyOf(Vec<SkillExpr>),
}

/// One routing step of a queue; see the crate docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingStep {
    /// Added to the contact's own requirements while this step applies.
    pub expr: SkillExpr,
    /// Lower each of the contact's own `min_level` by this much (floor 1) while this step applies.
    pub relax_contact_levels: u8,
    /// Ignore the contact's own requirements entirely in this step.
    pub drop_contact_skills: bool,
    /// Time in the queue after which the next step applies; `None` = last step.
    pub timeout_ms: Option<u64>,
}

impl RoutingStep {
    /// A step that accepts any agent of the queue and never times out.
    pub fn any() -> RoutingStep {
        RoutingStep { expr: SkillExpr::Any, relax_contact_levels: 0, drop_contact_skills: false, timeout_ms: None }
    }
}

/// Moves waiting contacts to another queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow {
    pub target: QueueId,
    /// Overflow after this long in the queue.
    pub after_ms: Option<u64>,
    /// Overflow when no member agent is logged in (checked at entry and when the last member leaves).
    pub when_no_agents: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    pub id: QueueId,
    pub strategy: Strategy,
    /// Empty = one step with [`SkillExpr::Any`].
    pub steps: Vec<RoutingStep>,
    /// Ring time of an offer; values below 1 ms are treated as 1 ms.
    pub offer_timeout_ms: u64,
    /// 0 = no wrap-up; otherwise the agent is auto-ready when it expires.
    pub wrap_up_ms: u64,
    /// Consecutive missed offers after which the agent goes NotReady("missed"); 0 = never.
    pub max_missed_offers: u32,
    /// Effective priority grows by this much per second waited.
    pub aging_per_sec: u32,
    /// Effective priority grows by `vip_boost * tier`.
    pub vip_boost: u32,
    /// The contact's last agent gets first refusal for this long after arrival.
    pub sticky_ms: u64,
    pub overflow: Option<Overflow>,
    /// Give up after this long in the queue.
    pub max_wait_ms: Option<u64>,
    pub give_up: GiveUpAction,
    /// Answered within this many ms = in service level.
    pub service_level_ms: u64,
    /// Sliding window of the service level statistic.
    pub service_level_window_ms: u64,
}

impl QueueConfig {
    /// A queue with one catch-all step, longest-idle routing, 20 s offers, no wrap-up and no
    /// overflow; a convenient base for `..QueueConfig::simple(id)`.
    pub fn simple(id: QueueId) -> QueueConfig {
        QueueConfig {
            id,
            strategy: Strategy::LongestIdle,
            steps: Vec::new(),
            offer_timeout_ms: 20_000,
            wrap_up_ms: 0,
            max_missed_offers: 0,
            aging_per_sec: 0,
            vip_boost: 0,
            sticky_ms: 0,
            overflow: None,
            max_wait_ms: None,
            give_up: GiveUpAction::Hangup,
            service_level_ms: 20_000,
            service_level_window_ms: 3_600_000,
        }
    }
}

/// How many contacts of each channel an agent takes at once; 0 = does not take that channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capacity {
    pub voice: u8,
    pub chat: u8,
    pub email: u8,
}

impl Capacity {
    pub(crate) fn of(&self, ch: Channel) -> u8 {
        match ch {
            Channel::Voice => self.voice,
            Channel::Chat => self.chat,
            Channel::Email => self.email,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProfile {
    /// Skill levels; levels above 10 count as 10, a repeated skill counts with its highest level.
    pub skills: Vec<(SkillId, u8)>,
    /// Queues this agent serves.
    pub queues: Vec<QueueId>,
    pub capacity: Capacity,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactSpec {
    pub id: ContactId,
    pub queue: QueueId,
    pub channel: Channel,
    /// All of these are required (subject to the step's relaxation).
    pub required: Vec<SkillReq>,
    /// Base priority, higher first.
    pub priority: u32,
    /// Customer tier, 0 = normal.
    pub tier: u8,
    pub last_agent: Option<AgentId>,
}

/// The agent's intent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    Available,
    NotReady { reason: String },
    LoggedOut,
}

/// The system-driven state of an agent. When several apply, the first of
/// Reserved, Busy, WrapUp, Idle is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentState {
    Idle,
    /// An offer is ringing.
    Reserved,
    /// At least one accepted contact is in progress.
    Busy,
    WrapUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfferEnd {
    Accepted,
    Rejected,
    TimedOut,
    Rescinded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    UpsertQueue(QueueConfig),
    ContactArrived(ContactSpec),
    ContactAbandoned(ContactId),
    AgentLogin { agent: AgentId, profile: AgentProfile, status: Status },
    AgentLogout(AgentId),
    AgentUpdate { agent: AgentId, profile: AgentProfile },
    SetStatus { agent: AgentId, status: Status },
    OfferAccepted(OfferId),
    OfferRejected(OfferId),
    ContactFinished(ContactId),
    EndWrapUp(AgentId),
    ResetDailyCounters,
    Tick,
}

impl Input {
    /// The variant's name, as used in [`Output::Rejected`].
    pub fn name(&self) -> &'static str {
        match self {
            Input::UpsertQueue(_) => "UpsertQueue",
            Input::ContactArrived(_) => "ContactArrived",
            Input::ContactAbandoned(_) => "ContactAbandoned",
            Input::AgentLogin { .. } => "AgentLogin",
            Input::AgentLogout(_) => "AgentLogout",
            Input::AgentUpdate { .. } => "AgentUpdate",
            Input::SetStatus { .. } => "SetStatus",
            Input::OfferAccepted(_) => "OfferAccepted",
            Input::OfferRejected(_) => "OfferRejected",
            Input::ContactFinished(_) => "ContactFinished",
            Input::EndWrapUp(_) => "EndWrapUp",
            Input::ResetDailyCounters => "ResetDailyCounters",
            Input::Tick => "Tick",
        }
    }
}

/// Why an input changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    UnknownQueue,
    UnknownContact,
    UnknownAgent,
    /// Never issued by this engine.
    UnknownOffer,
    /// Issued, but no longer pending (accepted, rejected, timed out or rescinded).
    StaleOffer,
    DuplicateContact,
    AlreadyLoggedIn,
    /// `ContactFinished` for a contact that is still waiting or ringing.
    ContactNotAssigned,
    /// `ContactAbandoned` for a contact that an agent already handles (send `ContactFinished`).
    ContactAlreadyAssigned,
    NotInWrapUp,
    /// `AgentLogin` with `Status::LoggedOut`.
    InvalidStatus,
    /// A skill expression nested deeper than [`crate::MAX_EXPR_DEPTH`].
    InvalidConfig,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Queued { contact: ContactId, queue: QueueId },
    Offer { offer: OfferId, contact: ContactId, agent: AgentId, queue: QueueId, expires_at: Time },
    OfferEnded { offer: OfferId, contact: ContactId, agent: AgentId, end: OfferEnd },
    Assigned { contact: ContactId, agent: AgentId, queue: QueueId, waited_ms: u64 },
    StepChanged { contact: ContactId, queue: QueueId, step: usize },
    Overflowed { contact: ContactId, from: QueueId, to: QueueId },
    GaveUp { contact: ContactId, queue: QueueId, action: GiveUpAction, waited_ms: u64 },
    Abandoned { contact: ContactId, queue: QueueId, waited_ms: u64 },
    Finished { contact: ContactId, agent: AgentId },
    AgentChanged { agent: AgentId, status: Status, state: AgentState },
    Rejected { input: &'static str, reason: RejectReason },
}

/// A logged-in agent as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentView {
    pub id: AgentId,
    pub status: Status,
    pub state: AgentState,
    /// Accepted contacts in progress, oldest first.
    pub active: Vec<ContactId>,
    pub offer: Option<OfferId>,
    pub handled_today: u32,
    pub missed_in_a_row: u32,
    pub wrap_up_until: Option<Time>,
}

/// A snapshot of one queue; see the crate docs for the definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueStats {
    pub waiting: u32,
    pub longest_wait_ms: u64,
    pub agents_logged_in: u32,
    pub agents_available: u32,
    pub agents_idle: u32,
    pub agents_reserved: u32,
    pub agents_busy: u32,
    pub agents_wrap_up: u32,
    pub agents_not_ready: u32,
    pub offered: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub service_level: Option<f64>,
    pub answered_in_window: u32,
    pub abandoned_in_window: u32,
}

//! Inputs, outputs and configuration of the call orchestrator.

use std::fmt;

/// Milliseconds since an epoch chosen by the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

impl Time {
    pub fn plus(self, ms: u64) -> Time {
        Time(self.0.saturating_add(ms))
    }
}

/// A call, numbered by the driver (one per inbound INVITE that creates a dialog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call{}", self.0)
    }
}

/// The two sides of a bridged call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Caller,
    Agent,
}

/// Why a call or one of its legs ended. A stable set: stored with the
/// interaction and used in reports; the names follow Q.850 as FreeSWITCH
/// spells them, lower-cased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause {
    /// One side hung up after the call was bridged.
    NormalClearing,
    /// The caller hung up before an agent answered.
    OriginatorCancel,
    /// The agent's phone rang until the offer expired.
    NoAnswer,
    /// The agent's phone answered busy (486/600) or declined (603).
    UserBusy,
    /// The agent has no registered phone, or it could not be reached.
    Unreachable,
    /// The caller waited longer than the queue allows.
    GaveUp,
    /// The number dialled is not served here.
    UnallocatedNumber,
    /// The caller is not allowed to make this call.
    CallRejected,
    /// Something inside the server failed (routing refused the contact, ...).
    ServerError,
    /// The agent answered, but the offer had already ended.
    LoseRace,
}

impl Cause {
    /// The stable code stored with interactions.
    pub fn code(self) -> &'static str {
        match self {
            Cause::NormalClearing => "normal_clearing",
            Cause::OriginatorCancel => "originator_cancel",
            Cause::NoAnswer => "no_answer",
            Cause::UserBusy => "user_busy",
            Cause::Unreachable => "unreachable",
            Cause::GaveUp => "gave_up",
            Cause::UnallocatedNumber => "unallocated_number",
            Cause::CallRejected => "call_rejected",
            Cause::ServerError => "server_error",
            Cause::LoseRace => "lose_race",
        }
    }

    /// The SIP final response to send for this cause on an unanswered leg.
    pub fn sip_status(self) -> (u16, &'static str) {
        match self {
            Cause::UnallocatedNumber => (404, "Not Found"),
            Cause::CallRejected => (403, "Forbidden"),
            Cause::UserBusy => (486, "Busy Here"),
            Cause::NoAnswer => (480, "Temporarily Unavailable"),
            Cause::Unreachable => (480, "Temporarily Unavailable"),
            Cause::GaveUp => (480, "Temporarily Unavailable"),
            Cause::ServerError | Cause::LoseRace => (500, "Server Internal Error"),
            Cause::NormalClearing | Cause::OriginatorCancel => (487, "Request Terminated"),
        }
    }
}

/// What the built-in greeting offers. The full IVR engine replaces this; it
/// is enough to route a caller to a queue by one key press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuConfig {
    /// Number dialled to reach this menu, e.g. `1000`.
    pub number: String,
    /// Key → queue id.
    pub choices: Vec<(char, String)>,
    /// Where a caller goes who pressed nothing for `no_input_to_agent_ms`
    /// or failed `max_invalid` times.
    pub default_queue: String,
    /// Silence after the greeting before it is played again.
    pub replay_after_ms: u64,
    /// From answer: no key at all for this long routes to `default_queue`
    /// (30 s in the seeds: "客户30秒未操作时，自动转接人工坐席").
    pub no_input_to_agent_ms: u64,
    /// Invalid keys accepted before routing to `default_queue`.
    pub max_invalid: u32,
}

impl MenuConfig {
    pub fn queue_for(&self, digit: char) -> Option<&str> {
        self.choices.iter().find(|c| c.0 == digit).map(|c| c.1.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    pub menus: Vec<MenuConfig>,
}

/// Prompts the orchestrator asks the media layer to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prompt {
    /// The menu's greeting ("press 1 for sales, 2 for support").
    Greeting,
    /// "That is not a valid choice."
    Invalid,
    /// Music on hold, looped, while queued.
    MusicOnHold,
    /// "Sorry, nobody can take your call now."
    Sorry,
}

/// How an offer ended, as the routing engine reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferEnd {
    Accepted,
    Rejected,
    TimedOut,
    Rescinded,
}

/// Why the agent's phone did not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialFailure {
    /// 486, 600, 603.
    Busy,
    /// No registered contact, transport error, 404, 480, 408.
    Unreachable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A new inbound INVITE. `agent` is the authenticated extension of the
    /// caller, if it authenticated.
    /// `contact` is the id the call will have in the routing engine and the
    /// interaction log, chosen by the driver.
    Incoming { call: CallId, contact: String, to: String, from: String, agent: Option<String> },
    /// A DTMF key from the caller (RFC 4733 or in-band).
    Digit { call: CallId, digit: char },
    /// A prompt started by `Play` (not looped) finished.
    PromptDone { call: CallId },
    /// The caller hung up (BYE or CANCEL) or its leg failed.
    CallerGone { call: CallId },
    /// The routing engine offers `contact` to the agent with extension `extension`.
    Offered { contact: String, offer: String, agent: String, extension: String },
    /// The offer ended in the routing engine.
    OfferEnded { contact: String, offer: String, end: OfferEnd },
    /// The routing engine gave up on the contact (max wait).
    GaveUp { contact: String },
    /// Routing refused the contact (unknown queue, engine stopped).
    SubmitFailed { call: CallId },
    /// The agent's phone rings (180/183).
    AgentRinging { call: CallId },
    /// The agent's phone answered (200 OK, ACK sent).
    AgentAnswered { call: CallId },
    /// The agent's phone did not answer.
    AgentFailed { call: CallId, why: DialFailure },
    /// The agent hung up (BYE) after answering.
    AgentGone { call: CallId },
    /// The answer of the routing engine to `AcceptOffer`.
    AcceptResult { call: CallId, ok: bool },
    /// Time passed.
    Tick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Answer the caller's INVITE (200 OK with our SDP) and start its media.
    Answer { call: CallId },
    /// Refuse the caller's INVITE with a final response.
    Refuse { call: CallId, cause: Cause },
    /// Play a prompt to the caller (MusicOnHold loops until `StopMedia`).
    Play { call: CallId, prompt: Prompt },
    /// Stop whatever plays to the caller.
    StopMedia { call: CallId },
    /// Queue the call in the routing engine under the contact id `contact`.
    Submit { call: CallId, contact: String, queue: String },
    /// Tell the routing engine the caller left before being served.
    Abandon { contact: String },
    /// Ring the agent's registered phone(s) for this call.
    Dial { call: CallId, extension: String },
    /// Stop ringing the agent (CANCEL).
    CancelDial { call: CallId },
    /// Ask the routing engine to accept the offer (the agent answered).
    AcceptOffer { call: CallId, offer: String },
    /// Tell the routing engine the agent's phone did not take the offer.
    RejectOffer { offer: String },
    /// Connect the caller's and the agent's media; start recording.
    Bridge { call: CallId },
    /// End one leg (BYE once answered).
    Hangup { call: CallId, side: Side, cause: Cause },
    /// Tell the routing engine the contact is over (the agent goes to wrap-up).
    Finish { contact: String, cause: Cause },
    /// The call is over; the driver forgets it.
    Ended { call: CallId, cause: Cause },
}

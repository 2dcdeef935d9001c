//! Inputs, outputs and configuration of the call orchestrator.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use hotline_ivr::Flow;

pub use hotline_clock::Time;

/// A call, numbered by the driver (one per inbound INVITE that creates a dialog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call{}", self.0)
    }
}

/// The legs of a call: the caller, the agent, and a supervisor's
/// monitoring leg (listen, whisper, barge), which only the driver knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Caller,
    Agent,
    Monitor,
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
    /// The agent handed the caller on (to a queue or a number).
    Transferred,
    /// A supervisor took the call over from the agent.
    TakenOver,
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
            Cause::Transferred => "transferred",
            Cause::TakenOver => "taken_over",
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
            Cause::NormalClearing | Cause::OriginatorCancel | Cause::Transferred | Cause::TakenOver => (487, "Request Terminated"),
        }
    }
}

/// A number that reaches an IVR flow.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Number dialled, e.g. `1000`.
    pub number: String,
    /// The published flow version new calls run.
    pub flow: Arc<Flow>,
    /// No key at all for this long after the answer queues the caller in
    /// `default_queue` wherever they are in the flow (30 s in the seeds:
    /// "客户30秒未操作时，自动转接人工坐席"). `None`: only the flow decides.
    pub no_input_to_agent_ms: Option<u64>,
    pub default_queue: String,
}

/// An announcement (an incident notice, say) played to every caller of a
/// number, switched on and off at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    pub prompt: String,
    /// `true`: the broadcast replaces the flow and the caller is hung up
    /// after it; `false`: it plays before the flow.
    pub instead: bool,
}

/// How a queue treats callers while they wait and after they are served.
#[derive(Debug, Clone)]
pub struct QueueExperience {
    pub queue: String,
    /// Tell waiting callers their position and estimated wait this often.
    pub announce_every_ms: Option<u64>,
    /// After this long in the queue, callers may press `callback_key` to hang
    /// up and be called back without losing their place (virtual hold).
    pub callback_after_ms: Option<u64>,
    pub callback_key: char,
    /// A comfort message played after each announcement ("your call is
    /// important to us").
    pub comfort: Option<String>,
    /// A satisfaction survey the caller is moved to when the agent hangs up;
    /// what it collects is reported with `Output::SurveyResult`.
    pub survey: Option<Arc<Flow>>,
}

impl QueueExperience {
    /// Music on hold only.
    pub fn plain(queue: &str) -> QueueExperience {
        QueueExperience {
            queue: queue.to_owned(),
            announce_every_ms: None,
            callback_after_ms: None,
            callback_key: '1',
            comfort: None,
            survey: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub entries: Vec<Entry>,
    pub queues: Vec<QueueExperience>,
}

/// Prompt played while a caller waits in a queue (looped until `StopMedia`).
pub const MUSIC_ON_HOLD: &str = "moh";
/// Prompt played before hanging up a caller nobody can serve.
pub const SORRY: &str = "sorry";
/// Announcement fragments: "you are number" N "in the queue", "your
/// expected wait is about" N "minutes", "press" K "to be called back".
pub const POSITION_IS: &str = "position_is";
pub const IN_QUEUE: &str = "in_queue";
pub const WAIT_IS: &str = "wait_is";
pub const MINUTES: &str = "minutes";
pub const PRESS: &str = "press";
pub const FOR_CALLBACK: &str = "for_callback";
/// "We will call you back; you keep your place."
pub const CALLBACK_CONFIRMED: &str = "callback_confirmed";
/// Ringback, looped while a call placed by an agent rings.
pub const RINGBACK: &str = "ringback";
/// The tone before a voicemail message is recorded.
pub const VOICEMAIL_TONE: &str = "beep";
/// The longest voicemail message, in milliseconds.
pub const VOICEMAIL_MAX_MS: u64 = 120_000;

/// What a queue does with a caller who waited longer than it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpAction {
    /// "Sorry", then hang up.
    Hangup,
    /// The caller may leave a message (the queue is the mailbox).
    Voicemail,
    /// "We will call you back", then hang up; the interaction keeps the
    /// request (outcome `gave_up`, cause `callback`) for the callback list.
    Callback,
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
    /// The routing engine gave up on the contact (max wait); the queue says what next.
    GaveUp { contact: String, action: GiveUpAction },
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
    /// An admin switches a number's emergency broadcast on (`Some`) or off.
    SetBroadcast { number: String, broadcast: Option<Broadcast> },
    /// The answer to `Output::QueryPlace`: where the contact stands.
    Place { call: CallId, position: u32, ewt_ms: Option<u64> },
    /// The customer answered the callback call (`Output::CallCustomer`).
    CustomerAnswered { call: CallId },
    /// The customer did not answer the callback call.
    CustomerFailed { call: CallId },
    /// The answer to `Output::Lookup`: the backend's fields, or `None` on error.
    LookupResult { call: CallId, fields: Option<BTreeMap<String, String>> },
    /// The answer of the routing engine to `AcceptOffer`.
    AcceptResult { call: CallId, ok: bool },
    /// The agent puts the caller on hold (`on`) or takes them back: from
    /// the desktop, or the agent's phone re-INVITEd `sendonly`/`inactive`
    /// (`sendrecv` again resumes). Only a bridged call is held.
    Hold { call: CallId, on: bool },
    /// The agent hands the caller on (blind transfer): see [`TransferTo`].
    /// Only a bridged call is transferred.
    Transfer { call: CallId, to: TransferTo },
    /// A supervisor listening in took the call over: the driver has already
    /// hung up the agent's leg and put the supervisor's in its place; the
    /// agent's contact is finished (wrap-up). Only a bridged call.
    TakeOver { call: CallId, by: String },
    /// Time passed.
    Tick,
}

/// Where a blind transfer sends the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTo {
    /// Back into routing, in `queue`, as a new contact `contact` (chosen by
    /// the driver) linked to the first: the caller keeps what the IVR
    /// collected, gains [`TRANSFER_PRIORITY_BOOST`], and the next agent's
    /// screen shows `note` and who transferred (`by`, an agent id).
    Queue { queue: String, contact: String, note: String, by: String },
    /// A number rung as the IVR's transfer does: an extension registered
    /// under it, else through a trunk.
    Number { number: String },
}

/// Priority added to a caller transferred to a queue: they have waited once.
pub const TRANSFER_PRIORITY_BOOST: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Answer the caller's INVITE (200 OK with our SDP) and start its media.
    Answer { call: CallId },
    /// Refuse the caller's INVITE with a final response.
    Refuse { call: CallId, cause: Cause },
    /// Play the prompt with this name to the caller ([`MUSIC_ON_HOLD`] loops
    /// until `StopMedia`; IVR prompts may carry a language folder, `en/x`).
    Play { call: CallId, prompt: String },
    /// Ask routing where the contact stands; answer with `Input::Place`.
    QueryPlace { call: CallId, contact: String },
    /// Call the customer back (the agent is already on the line); answer
    /// with `Input::CustomerAnswered` or `Input::CustomerFailed`.
    CallCustomer { call: CallId, number: String },
    /// What the post-call survey collected (e.g. `score`).
    SurveyResult { contact: String, vars: BTreeMap<String, String> },
    /// Ask a backend for the IVR; answer with `Input::LookupResult`.
    Lookup { call: CallId, backend: String, params: BTreeMap<String, String> },
    /// Stop whatever plays to the caller.
    StopMedia { call: CallId },
    /// Queue the call in the routing engine under the contact id `contact`,
    /// with what the IVR collected.
    Submit { call: CallId, contact: String, queue: String, priority: u32, vars: BTreeMap<String, String> },
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
    /// End one leg (BYE once answered). A caller leg may end before the call
    /// does: a caller who asked to be called back keeps their contact in
    /// the queue without a line.
    Hangup { call: CallId, side: Side, cause: Cause },
    /// Tell the routing engine the contact is over (the agent goes to wrap-up).
    Finish { contact: String, cause: Cause },
    /// Record what the caller says (a voicemail for `mailbox`, with what
    /// the IVR collected) until the call ends.
    RecordVoicemail { call: CallId, contact: String, mailbox: String, vars: BTreeMap<String, String> },
    /// Ring an outside number for a transfer; answer with `AgentRinging`,
    /// `AgentAnswered`, `AgentFailed` and `AgentGone` as for an agent's phone.
    DialOut { call: CallId, number: String },
    /// The caller was put on hold (`on`) or taken back; `count` holds so
    /// far and `total_ms` on hold in all (counting the span that ends now).
    /// The driver stops or resumes relaying the agent's audio (music on
    /// hold is a `Play` of its own) and records it with the interaction.
    Held { call: CallId, contact: String, on: bool, count: u32, total_ms: u64 },
    /// A blind transfer to a queue made `to` the call's contact, linked to
    /// `from` (the first agent's, finished with cause `transferred`).
    Transferred { call: CallId, from: String, to: String, queue: String },
    /// The call is over; the driver forgets it.
    Ended { call: CallId, cause: Cause },
}

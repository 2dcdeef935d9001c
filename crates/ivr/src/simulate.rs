//! Running a flow without a phone: the designer's simulator. The real
//! interpreter ([`Session`]) is driven with a script — a caller's number and
//! language, the time of the call, the keys they press, what each lookup
//! answers — and every prompt, key, lookup and timeout is written down
//! with the node it happened at, up to where the caller ends (a queue, a
//! transfer, voicemail, hang-up) or the first key the script does not have.
//!
//! Prompts take no time here (each ends as soon as it starts), so a key is
//! pressed once its menu's or collect's prompt has played; `timeouts` lets
//! the script's end run into the node's timeout instead of stopping.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::flow::Flow;
use crate::session::{Input, Output, Session, Time, Waiting};

/// What the simulated caller does.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Variables the call starts with (`caller`, `dialled`, `lang`).
    pub vars: BTreeMap<String, String>,
    /// When the call comes in (milliseconds since the Unix epoch).
    pub at: Time,
    /// Keys, pressed in order whenever the flow waits for one.
    pub keys: Vec<char>,
    /// Each backend's answer (`None`: the lookup fails). A backend not
    /// listed fails too.
    pub lookups: BTreeMap<String, Option<BTreeMap<String, String>>>,
    /// When the keys run out: wait for the timeout (true) or stop (false).
    pub timeouts: bool,
}

/// One thing that happened, at a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The caller reached the node.
    Enter,
    /// A prompt played (its name, or `tts:` text).
    Play(String),
    /// The caller pressed a key.
    Key(char),
    /// A backend was asked; `answered` is whether the script had an answer.
    Lookup { backend: String, params: BTreeMap<String, String>, answered: bool },
    /// No key came in time.
    Timeout,
    /// The caller left the IVR.
    Exit(Output),
}

/// What the simulation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// (node, event), in order.
    pub events: Vec<(String, Event)>,
    /// How the caller left the IVR, if they did.
    pub outcome: Option<Output>,
    /// The node waiting for a key the script did not have.
    pub waiting_at: Option<String>,
    /// The variables at the end.
    pub vars: BTreeMap<String, String>,
}

impl Trace {
    /// The nodes the caller passed, in order, each once per visit.
    pub fn path(&self) -> Vec<&str> {
        self.events.iter().filter(|(_, e)| *e == Event::Enter).map(|(n, _)| n.as_str()).collect()
    }
}

/// The most steps a simulation takes (a loop in a draft must not hang it).
const MAX_STEPS: usize = 2_000;

/// Runs `flow` with `script`.
pub fn simulate(flow: Arc<Flow>, script: &Script) -> Trace {
    let mut now = script.at;
    let mut session = Session::start_traced(flow, script.vars.clone(), now);
    let mut keys = script.keys.iter().copied();
    let mut trace = Trace { events: Vec::new(), outcome: None, waiting_at: None, vars: BTreeMap::new() };
    for _ in 0..MAX_STEPS {
        // What the session did since the last input.
        let mut answer = None;
        while let Some(out) = session.poll_output() {
            note_nodes(&mut session, &mut trace);
            let at = here(&trace);
            match out {
                Output::Play(p) => trace.events.push((at, Event::Play(p))),
                Output::StopPrompt => {}
                Output::Lookup { backend, params } => {
                    let reply = script.lookups.get(&backend).cloned().flatten();
                    trace.events.push((at, Event::Lookup { backend, params, answered: reply.is_some() }));
                    answer = Some(reply);
                }
                exit => {
                    trace.events.push((at, Event::Exit(exit.clone())));
                    // (A failure is followed by its hang-up: the first says why.)
                    trace.outcome.get_or_insert(exit);
                }
            }
        }
        note_nodes(&mut session, &mut trace);
        let at = here(&trace);
        if let Some(reply) = answer {
            session.handle(now, Input::LookupResult(reply));
            continue;
        }
        match session.waiting() {
            Waiting::Nothing => break,
            Waiting::PromptEnd => session.handle(now, Input::PromptDone),
            Waiting::Lookup => {
                // Asked before and not yet answered: cannot happen here, but
                // a timeout ends it all the same.
                now = session.next_deadline().unwrap_or(now);
                session.handle(now, Input::Tick);
            }
            Waiting::Keys => match keys.next() {
                Some(k) => {
                    trace.events.push((at.clone(), Event::Key(k)));
                    session.handle(now, Input::Digit(k));
                }
                None if script.timeouts => {
                    now = session.next_deadline().unwrap_or(now);
                    trace.events.push((at.clone(), Event::Timeout));
                    session.handle(now, Input::Tick);
                }
                None => {
                    trace.waiting_at = Some(at);
                    break;
                }
            },
        }
    }
    trace.vars = session.vars().clone();
    trace
}

/// Writes down the nodes the session entered since the last look.
fn note_nodes(session: &mut Session, trace: &mut Trace) {
    for node in session.take_trail() {
        trace.events.push((node, Event::Enter));
    }
}

/// The node of the latest event.
fn here(trace: &Trace) -> String {
    trace.events.last().map(|(n, _)| n.clone()).unwrap_or_default()
}

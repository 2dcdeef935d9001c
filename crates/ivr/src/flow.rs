//! The flow document: a versioned graph of nodes, stored as JSON (or YAML)
//! and edited through the API. Node ids are the document's own names.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::say::{Lang, SayAs};
use hotline_calendar::Schedule;

/// One IVR flow.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: String,
    /// The node a call starts at.
    pub start: String,
    pub nodes: BTreeMap<String, Node>,
    /// Where the designer draws each node (by id); calls ignore it.
    #[serde(default)]
    pub layout: BTreeMap<String, Position>,
}

/// A node's place on the designer's canvas.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

/// What a node does. `next` fields name other nodes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Node {
    /// Play prompts in order, then go on.
    Play { prompts: Vec<String>, next: String },
    /// Play a prompt and wait for one key.
    Menu {
        prompt: String,
        /// Key → next node.
        choices: BTreeMap<String, String>,
        /// Seconds to wait for a key after the prompt. Default 5.
        #[serde(default = "default_timeout")]
        timeout_secs: u32,
        /// Times the menu is offered again after no key or a wrong one. Default 2.
        #[serde(default = "default_retries")]
        retries: u32,
        /// Played after a wrong key before the menu repeats.
        #[serde(default)]
        invalid_prompt: Option<String>,
        /// Where the caller goes when the retries are used up.
        on_failure: String,
    },
    /// Collect several digits into a variable.
    Collect {
        prompt: String,
        var: String,
        #[serde(default = "one")]
        min_digits: u32,
        max_digits: u32,
        /// Key that ends input early. Default `#`.
        #[serde(default = "hash")]
        terminator: String,
        #[serde(default = "default_timeout")]
        timeout_secs: u32,
        #[serde(default)]
        validate: Validation,
        #[serde(default = "default_retries")]
        retries: u32,
        #[serde(default)]
        invalid_prompt: Option<String>,
        next: String,
        on_failure: String,
        /// Secure input (a card number, a PIN): the digits may go to a
        /// lookup (`{var}`) but never leave the session — not with the
        /// interaction, not to the agent's screen, not into a log.
        #[serde(default)]
        secure: bool,
    },
    /// Say a value (`{var}` substitutions) as a number, digits, an amount or
    /// a date, in `lang` or else in the caller's language (variable `lang`,
    /// `zh` or `en`; Chinese when unset).
    Say {
        value: String,
        #[serde(rename = "as")]
        as_: SayAs,
        #[serde(default)]
        lang: Option<Lang>,
        next: String,
    },
    /// Ask a configured backend (CRM, orders, accounts) with parameters
    /// (`{var}` substitutions); its answer's fields become variables
    /// `<prefix>.<field>`. No answer within `timeout_secs`, or an error,
    /// goes to `on_error`.
    Lookup {
        backend: String,
        #[serde(default)]
        params: BTreeMap<String, String>,
        #[serde(default = "lookup_prefix")]
        prefix: String,
        #[serde(default = "default_lookup_timeout")]
        timeout_secs: u32,
        next: String,
        on_error: String,
    },
    /// Set the caller's language (variable `lang`): prompts named `x` are
    /// then played as `<lang>/x` by the media layer.
    Language { lang: Lang, next: String },
    /// Transfer the caller to an outside number (leaves the IVR).
    Transfer { number: String },
    /// Record a voice message for `mailbox` (leaves the IVR; a callback task
    /// is created from it).
    Voicemail { mailbox: String },
    /// Set a variable to a text (with `{var}` substitutions).
    Set { var: String, value: String, next: String },
    /// Branch on a variable.
    Condition { var: String, equals: String, then: String, otherwise: String },
    /// Branch on opening hours at the moment the caller reaches the node.
    /// `schedule` inline, or `calendar`: the name of one kept by the center
    /// (business hours and holidays shared by flows; see
    /// [`Flow::resolve_calendars`]).
    Schedule {
        #[serde(default)]
        schedule: Option<Schedule>,
        #[serde(default)]
        calendar: Option<String>,
        open: String,
        closed: String,
    },
    /// Queue the caller.
    Enqueue {
        queue: String,
        #[serde(default)]
        priority: u32,
    },
    /// Hang up.
    Hangup {},
}

/// Checks applied to collected digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validation {
    #[default]
    None,
    /// 18-digit resident identity number with its ISO 7064 MOD 11-2 check digit.
    ChineseId,
}

fn lookup_prefix() -> String {
    "lookup".into()
}
fn default_lookup_timeout() -> u32 {
    3
}
fn default_timeout() -> u32 {
    5
}
fn default_retries() -> u32 {
    2
}
fn one() -> u32 {
    1
}
fn hash() -> String {
    "#".into()
}

impl Flow {
    /// Puts each named calendar's schedule into the `schedule` nodes that
    /// name it (done when the flow is loaded for calls, so a changed
    /// calendar reaches new calls at the next reload); the (node, calendar)
    /// pairs whose calendar it does not know.
    pub fn resolve_calendars(&mut self, calendars: &BTreeMap<String, Schedule>) -> Vec<(String, String)> {
        let mut unknown = Vec::new();
        for (id, node) in self.nodes.iter_mut() {
            if let Node::Schedule { schedule, calendar: Some(name), .. } = node {
                match calendars.get(name) {
                    Some(c) => *schedule = Some(c.clone()),
                    None => unknown.push((id.clone(), name.clone())),
                }
            }
        }
        unknown
    }
}

impl Node {
    /// Every `(field, target)` this node can go to.
    pub fn targets(&self) -> Vec<(String, &str)> {
        match self {
            Node::Play { next, .. } | Node::Set { next, .. } | Node::Say { next, .. } | Node::Language { next, .. } => vec![("next".into(), next.as_str())],
            Node::Menu { choices, on_failure, .. } => {
                let mut v: Vec<(String, &str)> = choices.iter().map(|(k, t)| (format!("choices.{k}"), t.as_str())).collect();
                v.push(("on_failure".into(), on_failure.as_str()));
                v
            }
            Node::Collect { next, on_failure, .. } => {
                vec![("next".into(), next.as_str()), ("on_failure".into(), on_failure.as_str())]
            }
            Node::Schedule { open, closed, .. } => {
                vec![("open".into(), open.as_str()), ("closed".into(), closed.as_str())]
            }
            Node::Condition { then, otherwise, .. } => {
                vec![("then".into(), then.as_str()), ("otherwise".into(), otherwise.as_str())]
            }
            Node::Lookup { next, on_error, .. } => {
                vec![("next".into(), next.as_str()), ("on_error".into(), on_error.as_str())]
            }
            Node::Enqueue { .. } | Node::Hangup {} | Node::Transfer { .. } | Node::Voicemail { .. } => Vec::new(),
        }
    }

    /// Whether the node ends the flow (the caller leaves the IVR).
    pub fn is_exit(&self) -> bool {
        matches!(self, Node::Enqueue { .. } | Node::Hangup {} | Node::Transfer { .. } | Node::Voicemail { .. })
    }
}

//! The interpreter: one [`Session`] per caller walks a flow, sans-IO.
//!
//! Inputs are the caller's keys, the end of a prompt and the passing of
//! time; outputs are what the media layer and the call orchestrator do. A
//! session holds the flow version it started with (`Arc<Flow>`), so
//! publishing a new version never changes a call in progress.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use crate::digits::is_valid_chinese_id;
use crate::flow::{Flow, Node, Validation};
use crate::say::{say, Lang};

/// Milliseconds since the Unix epoch (schedules read the wall-clock time from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The prompt started by the last `Play` finished.
    PromptDone,
    /// A key: `0`-`9`, `*`, `#`.
    Digit(char),
    /// The answer to `Output::Lookup`: its fields, or `None` on error.
    LookupResult(Option<BTreeMap<String, String>>),
    /// Time passed; nothing else happened.
    Tick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Play the prompt with this name.
    Play(String),
    /// Stop the prompt in progress (the caller pressed a key).
    StopPrompt,
    /// The caller leaves the IVR into a queue, with the variables collected.
    Enqueue { queue: String, priority: u32, vars: BTreeMap<String, String> },
    /// Ask `backend` with `params`; answer with `Input::LookupResult`.
    Lookup { backend: String, params: BTreeMap<String, String> },
    /// Transfer the caller to an outside number.
    Transfer { number: String },
    /// Record a voice message for `mailbox`.
    Voicemail { mailbox: String, vars: BTreeMap<String, String> },
    /// Hang up the call.
    Hangup,
    /// The flow could not go on (a bug in a published flow); the caller is
    /// hung up after this.
    Failed(String),
}

/// What a session waits for, as its driver sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// The end of the prompt playing (keys barge in during menus and collects).
    PromptEnd,
    /// The caller's keys, until the node's timeout.
    Keys,
    /// A lookup's answer.
    Lookup,
    /// Nothing: the caller left the IVR.
    Nothing,
}

/// What the session is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wait {
    /// Prompts left to play in a `play` node.
    Prompts(VecDeque<String>),
    /// A menu's or collect's prompt plays; keys barge in.
    Prompt,
    /// The invalid-input prompt plays; then the node's prompt again.
    InvalidPrompt,
    /// Keys, until `deadline`.
    Keys { deadline: Time },
    /// A lookup's answer, until `deadline`.
    Lookup { deadline: Time },
    /// The session is over.
    Done,
}

/// At most this many nodes are entered per input: a flow whose `set` and
/// `condition` nodes loop without waiting fails instead of spinning.
const MAX_STEPS: usize = 1000;

#[derive(Debug)]
pub struct Session {
    flow: Arc<Flow>,
    node: String,
    vars: BTreeMap<String, String>,
    wait: Wait,
    /// Failed attempts at the current menu or collect.
    misses: u32,
    digits: String,
    /// Variables collected by `secure` collect nodes: kept for lookups,
    /// left out of everything the session hands on.
    secret: std::collections::BTreeSet<String>,
    now: Time,
    out: VecDeque<Output>,
    /// Every node entered, when the driver asked for it (the simulator).
    trail: Option<Vec<String>>,
}

impl Session {
    /// Starts `flow` at its start node with the given variables (caller
    /// number, language, ...).
    pub fn start(flow: Arc<Flow>, vars: BTreeMap<String, String>, now: Time) -> Session {
        Self::begin(flow, vars, now, None)
    }

    /// Like [`Session::start`], also writing down every node entered
    /// (including those passed through without a prompt), for
    /// [`Session::take_trail`].
    pub fn start_traced(flow: Arc<Flow>, vars: BTreeMap<String, String>, now: Time) -> Session {
        Self::begin(flow, vars, now, Some(Vec::new()))
    }

    /// The nodes entered since the last call (traced sessions only).
    pub fn take_trail(&mut self) -> Vec<String> {
        self.trail.as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn begin(flow: Arc<Flow>, vars: BTreeMap<String, String>, now: Time, trail: Option<Vec<String>>) -> Session {
        let node = flow.start.clone();
        let mut s = Session { flow, node, vars, wait: Wait::Done, misses: 0, digits: String::new(), secret: Default::default(), now, out: VecDeque::new(), trail };
        let start = s.node.clone();
        s.enter(start);
        s
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// When `handle(deadline, Input::Tick)` is due.
    pub fn next_deadline(&self) -> Option<Time> {
        match self.wait {
            Wait::Keys { deadline } | Wait::Lookup { deadline } => Some(deadline),
            _ => None,
        }
    }

    pub fn is_done(&self) -> bool {
        self.wait == Wait::Done
    }

    /// What the session waits for now.
    pub fn waiting(&self) -> Waiting {
        match self.wait {
            Wait::Prompts(_) | Wait::Prompt | Wait::InvalidPrompt => Waiting::PromptEnd,
            Wait::Keys { .. } => Waiting::Keys,
            Wait::Lookup { .. } => Waiting::Lookup,
            Wait::Done => Waiting::Nothing,
        }
    }

    /// The node the caller is at.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// Every variable, secure ones included (for lookups and conditions).
    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// The variables that may leave the session: all but those collected
    /// by `secure` nodes.
    pub fn public_vars(&self) -> BTreeMap<String, String> {
        self.vars.iter().filter(|(k, _)| !self.secret.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn handle(&mut self, now: Time, input: Input) {
        self.now = self.now.max(now);
        if let Wait::Keys { deadline } = self.wait {
            if self.now >= deadline && input != Input::Tick {
                // The timeout came first.
                self.timeout();
            }
        }
        if let Wait::Lookup { deadline } = self.wait {
            if self.now >= deadline {
                self.lookup_done(None);
            }
        }
        match input {
            Input::LookupResult(r) => {
                if matches!(self.wait, Wait::Lookup { .. }) {
                    self.lookup_done(r);
                }
            }
            Input::PromptDone => self.prompt_done(),
            Input::Digit(d) => self.digit(d),
            Input::Tick => {
                if matches!(self.wait, Wait::Keys { deadline } if self.now >= deadline) {
                    self.timeout();
                }
            }
        }
    }

    fn current(&self) -> Option<Node> {
        self.flow.nodes.get(&self.node).cloned()
    }

    fn enter(&mut self, mut id: String) {
        for _ in 0..MAX_STEPS {
            self.node = id.clone();
            if let Some(trail) = &mut self.trail {
                trail.push(id.clone());
            }
            self.misses = 0;
            self.digits.clear();
            let Some(node) = self.current() else {
                return self.fail(format!("unknown node `{id}`"));
            };
            match node {
                Node::Play { prompts, next } => {
                    let mut q: VecDeque<String> = prompts.iter().map(|p| self.substitute(p)).collect();
                    match q.pop_front() {
                        Some(first) => {
                            self.out.push_back(Output::Play(first));
                            self.wait = Wait::Prompts(q);
                            return;
                        }
                        None => id = next,
                    }
                }
                Node::Menu { prompt, .. } | Node::Collect { prompt, .. } => {
                    let prompt = self.substitute(&prompt);
                    self.out.push_back(Output::Play(prompt));
                    self.wait = Wait::Prompt;
                    return;
                }
                Node::Say { value, as_, lang, next } => {
                    let lang = lang.unwrap_or(match self.vars.get("lang").map(String::as_str) {
                        Some("en") => Lang::En,
                        _ => Lang::Zh,
                    });
                    let mut q: VecDeque<String> = say(&self.substitute(&value), as_, lang).unwrap_or_default().into();
                    match q.pop_front() {
                        Some(first) => {
                            self.out.push_back(Output::Play(first));
                            self.wait = Wait::Prompts(q);
                            return;
                        }
                        None => id = next,
                    }
                }
                Node::Set { var, value, next } => {
                    let v = self.substitute(&value);
                    self.vars.insert(var, v);
                    id = next;
                }
                Node::Condition { var, equals, then, otherwise } => {
                    let hit = self.vars.get(&var).is_some_and(|v| *v == equals);
                    id = if hit { then } else { otherwise };
                }
                Node::Schedule { schedule, calendar, open, closed } => match schedule {
                    Some(schedule) => id = if schedule.is_open(self.now.0) { open } else { closed },
                    // (Loading resolves calendars; an unresolved one is a bug.)
                    None => return self.fail(format!("calendar `{}` was not loaded", calendar.unwrap_or_default())),
                },
                Node::Lookup { backend, params, timeout_secs, .. } => {
                    let params = params.iter().map(|(k, v)| (k.clone(), self.substitute(v))).collect();
                    self.out.push_back(Output::Lookup { backend, params });
                    let deadline = Time(self.now.0.saturating_add(u64::from(timeout_secs) * 1000));
                    self.wait = Wait::Lookup { deadline };
                    return;
                }
                Node::Language { lang, next } => {
                    let code = match lang {
                        Lang::Zh => "zh",
                        Lang::En => "en",
                    };
                    self.vars.insert("lang".into(), code.into());
                    id = next;
                }
                Node::Transfer { number } => {
                    let number = self.substitute(&number);
                    self.out.push_back(Output::Transfer { number });
                    self.wait = Wait::Done;
                    return;
                }
                Node::Voicemail { mailbox } => {
                    let mailbox = self.substitute(&mailbox);
                    self.out.push_back(Output::Voicemail { mailbox, vars: self.public_vars() });
                    self.wait = Wait::Done;
                    return;
                }
                Node::Enqueue { queue, priority } => {
                    let queue = self.substitute(&queue);
                    self.out.push_back(Output::Enqueue { queue, priority, vars: self.public_vars() });
                    self.wait = Wait::Done;
                    return;
                }
                Node::Hangup {} => {
                    self.out.push_back(Output::Hangup);
                    self.wait = Wait::Done;
                    return;
                }
            }
        }
        self.fail(format!("more than {MAX_STEPS} steps without waiting for the caller"));
    }

    fn lookup_done(&mut self, result: Option<BTreeMap<String, String>>) {
        let Some(Node::Lookup { prefix, next, on_error, .. }) = self.current() else { return };
        self.wait = Wait::Done;
        match result {
            Some(fields) => {
                for (k, v) in fields {
                    self.vars.insert(format!("{prefix}.{k}"), v);
                }
                self.enter(next);
            }
            None => self.enter(on_error),
        }
    }

    fn fail(&mut self, why: String) {
        self.out.push_back(Output::Failed(why));
        self.out.push_back(Output::Hangup);
        self.wait = Wait::Done;
    }

    /// Replaces `{name}` with the variable's value (empty when unset).
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            match rest[i..].find('}') {
                Some(j) => {
                    let name = &rest[i + 1..i + j];
                    out.push_str(self.vars.get(name).map_or("", String::as_str));
                    rest = &rest[i + j + 1..];
                }
                None => {
                    out.push_str(&rest[i..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn key_deadline(&self, node: &Node) -> Time {
        let secs = match node {
            Node::Menu { timeout_secs, .. } | Node::Collect { timeout_secs, .. } => *timeout_secs,
            _ => 5,
        };
        Time(self.now.0.saturating_add(u64::from(secs) * 1000))
    }

    fn prompt_done(&mut self) {
        let Some(node) = self.current() else { return };
        match std::mem::replace(&mut self.wait, Wait::Done) {
            Wait::Prompts(mut q) => match (q.pop_front(), node) {
                (Some(p), _) => {
                    self.out.push_back(Output::Play(p));
                    self.wait = Wait::Prompts(q);
                }
                (None, Node::Play { next, .. } | Node::Say { next, .. }) => self.enter(next),
                (None, _) => {}
            },
            Wait::Prompt => self.wait = Wait::Keys { deadline: self.key_deadline(&node) },
            Wait::InvalidPrompt => match node {
                Node::Menu { prompt, .. } | Node::Collect { prompt, .. } => {
                    self.out.push_back(Output::Play(prompt));
                    self.wait = Wait::Prompt;
                }
                _ => {}
            },
            other => self.wait = other,
        }
    }

    fn digit(&mut self, d: char) {
        let Some(node) = self.current() else { return };
        let listening = matches!(self.wait, Wait::Prompt | Wait::Keys { .. } | Wait::InvalidPrompt);
        if !listening {
            return;
        }
        let playing = matches!(self.wait, Wait::Prompt | Wait::InvalidPrompt);
        match node {
            Node::Menu { choices, .. } => {
                if playing {
                    self.out.push_back(Output::StopPrompt);
                }
                match choices.get(d.encode_utf8(&mut [0; 4]) as &str) {
                    Some(next) => self.enter(next.clone()),
                    None => self.miss(true),
                }
            }
            Node::Collect { max_digits, ref terminator, .. } => {
                if playing {
                    self.out.push_back(Output::StopPrompt);
                }
                if terminator.starts_with(d) {
                    return self.finish_collect();
                }
                self.digits.push(d);
                if self.digits.chars().count() >= max_digits as usize {
                    return self.finish_collect();
                }
                self.wait = Wait::Keys { deadline: self.key_deadline(&node) };
            }
            _ => {}
        }
    }

    fn timeout(&mut self) {
        match self.current() {
            Some(Node::Collect { .. }) if !self.digits.is_empty() => self.finish_collect(),
            Some(Node::Menu { .. } | Node::Collect { .. }) => self.miss(false),
            _ => {}
        }
    }

    fn finish_collect(&mut self) {
        let Some(Node::Collect { var, min_digits, validate, next, secure, .. }) = self.current() else { return };
        let digits = std::mem::take(&mut self.digits);
        let long_enough = digits.chars().count() >= min_digits as usize;
        let valid = match validate {
            Validation::None => true,
            Validation::ChineseId => is_valid_chinese_id(&digits),
        };
        if long_enough && valid {
            if secure {
                self.secret.insert(var.clone());
            }
            self.vars.insert(var, digits);
            self.enter(next);
        } else {
            self.miss(true);
        }
    }

    /// No key in time (`invalid` false) or a wrong one: try again or give up.
    fn miss(&mut self, invalid: bool) {
        let Some(node) = self.current() else { return };
        let (retries, invalid_prompt, on_failure, prompt) = match &node {
            Node::Menu { retries, invalid_prompt, on_failure, prompt, .. }
            | Node::Collect { retries, invalid_prompt, on_failure, prompt, .. } => {
                (*retries, invalid_prompt.clone(), on_failure.clone(), prompt.clone())
            }
            _ => return,
        };
        self.misses += 1;
        self.digits.clear();
        if self.misses > retries {
            return self.enter(on_failure);
        }
        match invalid_prompt.filter(|_| invalid) {
            Some(p) => {
                self.out.push_back(Output::Play(p));
                self.wait = Wait::InvalidPrompt;
            }
            None => {
                self.out.push_back(Output::Play(prompt));
                self.wait = Wait::Prompt;
            }
        }
    }
}

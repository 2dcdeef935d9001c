//! Checks a flow before it may be published. Every problem names the node
//! and the field, so an editor can point at it.

use std::collections::{BTreeMap, BTreeSet};

use crate::flow::{Flow, Node};

/// One problem in a flow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("node `{node}`, field `{field}`: {message}")]
pub struct FlowError {
    pub node: String,
    pub field: String,
    pub message: String,
}

fn err(node: &str, field: &str, message: impl Into<String>) -> FlowError {
    FlowError { node: node.into(), field: field.into(), message: message.into() }
}

/// All problems of `flow`, in node order; empty when it may be published.
pub fn validate(flow: &Flow) -> Vec<FlowError> {
    let mut errors = Vec::new();
    if !flow.nodes.contains_key(&flow.start) {
        errors.push(err("", "start", format!("unknown node `{}`", flow.start)));
    }
    for (id, node) in &flow.nodes {
        for (field, target) in node.targets() {
            if target.trim().is_empty() {
                errors.push(err(id, &field, "not connected: connect it to the node the caller goes to next"));
            } else if !flow.nodes.contains_key(target) {
                errors.push(err(id, &field, format!("unknown node `{target}`")));
            }
        }
        check_node(id, node, &mut errors);
    }
    if !errors.is_empty() {
        return errors;
    }
    let reachable = reach(flow, [flow.start.as_str()]);
    for id in flow.nodes.keys().filter(|id| !reachable.contains(id.as_str())) {
        errors.push(err(id, "", "unreachable from the start node"));
    }
    // A node from which no exit (enqueue, hang-up) can be reached traps the caller.
    let exits: Vec<&str> = flow.nodes.iter().filter(|(_, n)| n.is_exit()).map(|(id, _)| id.as_str()).collect();
    let can_leave = reverse_reach(flow, &exits);
    for id in reachable.iter().filter(|id| !can_leave.contains(*id)) {
        errors.push(err(id, "", "loops with no way out: no enqueue or hang-up can be reached from here"));
    }
    errors
}

fn check_node(id: &str, node: &Node, errors: &mut Vec<FlowError>) {
    let blank = |s: &str| s.trim().is_empty();
    match node {
        Node::Play { prompts, .. } => {
            if prompts.is_empty() || prompts.iter().any(|p| blank(p)) {
                errors.push(err(id, "prompts", "at least one prompt, none empty"));
            }
        }
        Node::Menu { prompt, choices, timeout_secs, .. } => {
            if blank(prompt) {
                errors.push(err(id, "prompt", "missing prompt"));
            }
            if choices.is_empty() {
                errors.push(err(id, "choices", "a menu needs at least one choice"));
            }
            if let Some(k) = choices.keys().find(|k| !is_key(k)) {
                errors.push(err(id, &format!("choices.{k}"), "a choice is one key: 0-9, * or #"));
            }
            if *timeout_secs == 0 {
                errors.push(err(id, "timeout_secs", "must be at least 1"));
            }
        }
        Node::Collect { prompt, var, min_digits, max_digits, terminator, timeout_secs, .. } => {
            if blank(prompt) {
                errors.push(err(id, "prompt", "missing prompt"));
            }
            if blank(var) {
                errors.push(err(id, "var", "missing variable name"));
            }
            if *min_digits == 0 || min_digits > max_digits || *max_digits > 64 {
                errors.push(err(id, "max_digits", "need 1 <= min_digits <= max_digits <= 64"));
            }
            if !terminator.is_empty() && !is_key(terminator) {
                errors.push(err(id, "terminator", "one key: 0-9, * or #, or empty"));
            }
            if *timeout_secs == 0 {
                errors.push(err(id, "timeout_secs", "must be at least 1"));
            }
        }
        Node::Set { var, .. } | Node::Condition { var, .. } => {
            if blank(var) {
                errors.push(err(id, "var", "missing variable name"));
            }
        }
        Node::Say { value, .. } => {
            if blank(value) {
                errors.push(err(id, "value", "missing value"));
            }
        }
        Node::Schedule { schedule, calendar, .. } => match (schedule, calendar) {
            (_, Some(name)) if name.trim().is_empty() => errors.push(err(id, "calendar", "choose a calendar")),
            (None, None) => errors.push(err(id, "calendar", "choose a calendar, or give the hours here (schedule)")),
            (Some(schedule), None) => {
                for (field, message) in schedule.problems() {
                    errors.push(err(id, &format!("schedule.{field}"), message));
                }
            }
            // A calendar's own hours are checked where it is kept; whether
            // it exists, where the flow is checked against the store.
            (_, Some(_)) => {}
        },
        Node::Lookup { backend, timeout_secs, .. } => {
            if blank(backend) {
                errors.push(err(id, "backend", "missing backend"));
            }
            if *timeout_secs == 0 || *timeout_secs > 30 {
                errors.push(err(id, "timeout_secs", "must be 1 to 30"));
            }
        }
        Node::Transfer { number } => {
            let digits = number.strip_prefix('+').unwrap_or(number);
            let is_var = number.len() > 2 && number.starts_with('{') && number.ends_with('}');
            let ok = is_var || (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                errors.push(err(id, "number", "digits (optionally +), or a {variable}"));
            }
        }
        Node::Voicemail { mailbox } => {
            if blank(mailbox) {
                errors.push(err(id, "mailbox", "missing mailbox"));
            }
        }
        Node::Language { .. } => {}
        Node::Enqueue { queue, .. } => {
            if blank(queue) {
                errors.push(err(id, "queue", "missing queue"));
            }
        }
        Node::Hangup {} => {}
    }
}

fn is_key(k: &str) -> bool {
    matches!(k.as_bytes(), [b'0'..=b'9' | b'*' | b'#'])
}

fn reach<'a>(flow: &'a Flow, from: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = from.into_iter().collect();
    while let Some(id) = stack.pop() {
        let Some((key, node)) = flow.nodes.get_key_value(id) else { continue };
        if seen.insert(key.as_str()) {
            stack.extend(node.targets().into_iter().map(|t| t.1));
        }
    }
    seen
}

fn reverse_reach<'a>(flow: &'a Flow, to: &[&'a str]) -> BTreeSet<&'a str> {
    let mut preds: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, node) in &flow.nodes {
        for (_, t) in node.targets() {
            preds.entry(t).or_default().push(id.as_str());
        }
    }
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = to.to_vec();
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            stack.extend(preds.get(id).into_iter().flatten().copied());
        }
    }
    seen
}

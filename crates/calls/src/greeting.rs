//! The built-in greeting menu as an IVR flow: one key per queue, the
//! greeting replayed after silence, wrong keys answered with the `invalid`
//! prompt, and the default queue after too many misses. `[[menus]]` in the
//! configuration become these; full flows come from the flow store.

use std::collections::BTreeMap;
use std::sync::Arc;

use hotline_ivr::{Flow, Node};

use crate::types::Entry;

/// What a greeting menu offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    pub number: String,
    /// Key → queue.
    pub choices: Vec<(char, String)>,
    pub default_queue: String,
    /// Silence after the greeting before it plays again.
    pub replay_after_secs: u32,
    /// No key at all for this long goes to `default_queue`.
    pub no_input_to_agent_secs: u32,
    /// Misses (wrong keys or silences) before `default_queue`.
    pub max_invalid: u32,
}

impl Greeting {
    pub fn flow(&self) -> Flow {
        let q = |queue: &str| format!("queue:{queue}");
        let mut nodes = BTreeMap::new();
        let mut choices = BTreeMap::new();
        for (key, queue) in &self.choices {
            choices.insert(key.to_string(), q(queue));
            nodes.insert(q(queue), Node::Enqueue { queue: queue.clone(), priority: 0 });
        }
        nodes.insert(q(&self.default_queue), Node::Enqueue { queue: self.default_queue.clone(), priority: 0 });
        nodes.insert(
            "menu".into(),
            Node::Menu {
                prompt: "greeting".into(),
                choices,
                timeout_secs: self.replay_after_secs.max(1),
                retries: self.max_invalid,
                invalid_prompt: Some("invalid".into()),
                on_failure: q(&self.default_queue),
            },
        );
        Flow { id: format!("greeting-{}", self.number), start: "menu".into(), nodes, layout: Default::default() }
    }

    pub fn entry(&self) -> Entry {
        Entry {
            number: self.number.clone(),
            flow: Arc::new(self.flow()),
            no_input_to_agent_ms: Some(u64::from(self.no_input_to_agent_secs) * 1000),
            default_queue: self.default_queue.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_greeting_flow_is_valid() {
        let g = Greeting {
            number: "1000".into(),
            choices: vec![('1', "sales".into()), ('2', "support".into()), ('0', "sales".into())],
            default_queue: "sales".into(),
            replay_after_secs: 5,
            no_input_to_agent_secs: 30,
            max_invalid: 3,
        };
        assert_eq!(hotline_ivr::validate(&g.flow()), vec![]);
    }
}

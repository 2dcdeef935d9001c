//! The designer's simulator: a scripted caller through the real interpreter.

use std::collections::BTreeMap;
use std::sync::Arc;

use hotline_ivr::*;

const FLOW: &str = r#"{
  "id": "sim",
  "start": "hours",
  "nodes": {
    "hours": { "type": "schedule", "open": "who", "closed": "closed",
      "schedule": { "utc_offset_minutes": 480, "open": [ { "days": [1,2,3,4,5,6,7], "from": "08:00", "to": "22:00" } ], "holidays": [] } },
    "closed": { "type": "hangup" },
    "who": { "type": "lookup", "backend": "crm", "params": { "phone": "{caller}" }, "prefix": "c", "next": "main", "on_error": "main" },
    "main": { "type": "menu", "prompt": "tts:cmn:售前请按1，售后请按2", "choices": { "1": "sales", "2": "after" }, "timeout_secs": 5, "retries": 1, "on_failure": "sales" },
    "after": { "type": "menu", "prompt": "after_menu", "choices": { "1": "tag", "2": "sales" }, "on_failure": "sales" },
    "tag": { "type": "set", "var": "topic", "value": "repair for {c.name}", "next": "support" },
    "support": { "type": "enqueue", "queue": "support" },
    "sales": { "type": "enqueue", "queue": "sales" }
  }
}"#;

fn flow() -> Arc<Flow> {
    Arc::new(serde_json::from_str(FLOW).unwrap())
}

/// 2026-12-07 10:00 in Beijing (a Monday), in ms since the epoch.
const MONDAY_10AM: u64 = 1_796_000_000_000 - (1_796_000_000_000 % 86_400_000) + 2 * 3_600_000;

fn script(keys: &str) -> Script {
    Script {
        vars: BTreeMap::from([("caller".to_owned(), "13800138000".to_owned())]),
        at: Time(MONDAY_10AM),
        keys: keys.chars().collect(),
        lookups: BTreeMap::from([("crm".to_owned(), Some(BTreeMap::from([("name".to_owned(), "张丽华".to_owned())])))]),
        timeouts: false,
    }
}

#[test]
fn keys_two_then_one_reach_support_through_every_node_on_the_way() {
    let t = simulate(flow(), &script("21"));
    assert_eq!(t.path(), ["hours", "who", "main", "after", "tag", "support"]);
    assert!(matches!(&t.outcome, Some(Output::Enqueue { queue, .. }) if queue == "support"), "{t:?}");
    assert_eq!(t.vars.get("topic").map(String::as_str), Some("repair for 张丽华"));
    assert!(t.events.contains(&("main".to_owned(), Event::Play("tts:cmn:售前请按1，售后请按2".to_owned()))));
    assert!(t.events.contains(&("main".to_owned(), Event::Key('2'))));
    assert!(t.events.contains(&("after".to_owned(), Event::Key('1'))));
    let asked = t.events.iter().find_map(|(n, e)| match e {
        Event::Lookup { backend, params, answered } => Some((n.as_str(), backend.as_str(), params.get("phone").cloned(), *answered)),
        _ => None,
    });
    assert_eq!(asked, Some(("who", "crm", Some("13800138000".to_owned()), true)));
}

#[test]
fn without_more_keys_it_stops_at_the_menu_or_runs_into_its_timeout() {
    let t = simulate(flow(), &script("2"));
    assert_eq!(t.waiting_at.as_deref(), Some("after"));
    assert_eq!(t.outcome, None);
    let t = simulate(flow(), &Script { timeouts: true, ..script("") });
    // No key: the menu is offered again (retries 1), then on_failure.
    assert_eq!(t.events.iter().filter(|(n, e)| n == "main" && *e == Event::Timeout).count(), 2);
    assert!(matches!(&t.outcome, Some(Output::Enqueue { queue, .. }) if queue == "sales"));
}

#[test]
fn at_night_the_caller_is_hung_up_and_a_failed_lookup_goes_on() {
    let night = Script { at: Time(MONDAY_10AM + 13 * 3_600_000), ..script("1") };
    let t = simulate(flow(), &night);
    assert_eq!(t.path(), ["hours", "closed"]);
    assert_eq!(t.outcome, Some(Output::Hangup));
    let no_crm = Script { lookups: BTreeMap::new(), ..script("1") };
    let t = simulate(flow(), &no_crm);
    assert_eq!(t.path(), ["hours", "who", "main", "sales"]);
}

#[test]
fn a_draft_that_loops_forever_ends_the_simulation_instead_of_hanging_it() {
    let looping: Flow = serde_json::from_str(
        r#"{"id": "l", "start": "a", "nodes": {
            "a": { "type": "set", "var": "x", "value": "1", "next": "b" },
            "b": { "type": "set", "var": "y", "value": "2", "next": "a" } }}"#,
    )
    .unwrap();
    let t = simulate(Arc::new(looping), &script(""));
    assert!(matches!(t.outcome, Some(Output::Failed(_))), "{:?}", t.outcome);
}

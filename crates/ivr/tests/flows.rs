//! Flows walked with scripted inputs on a virtual clock.

use std::collections::BTreeMap;
use std::sync::Arc;

use expect_test::{expect, Expect};
use hotline_ivr::*;

/// 1 orders (collect an order number, then the orders queue), 2 after-sales
/// (a second menu: 1 logistics, 2 change address), 0 an agent.
const SHOP: &str = r#"{
  "id": "shop",
  "start": "welcome",
  "nodes": {
    "welcome": { "type": "play", "prompts": ["welcome"], "next": "main" },
    "main": { "type": "menu", "prompt": "main_menu", "choices": { "1": "order_no", "2": "after", "0": "agent" },
              "timeout_secs": 5, "retries": 2, "invalid_prompt": "invalid", "on_failure": "agent" },
    "order_no": { "type": "collect", "prompt": "enter_order", "var": "order", "min_digits": 6, "max_digits": 10,
                  "next": "orders", "on_failure": "agent" },
    "orders": { "type": "enqueue", "queue": "orders", "priority": 1 },
    "after": { "type": "menu", "prompt": "after_menu", "choices": { "1": "logistics", "2": "address" },
               "on_failure": "agent" },
    "logistics": { "type": "set", "var": "topic", "value": "logistics for {caller}", "next": "support" },
    "address": { "type": "set", "var": "topic", "value": "address", "next": "support" },
    "support": { "type": "enqueue", "queue": "support" },
    "agent": { "type": "enqueue", "queue": "sales" }
  }
}"#;

fn flow(json: &str) -> Arc<Flow> {
    Arc::new(serde_json::from_str(json).expect("flow parses"))
}

fn walk(json: &str, script: &[(u64, Input)]) -> String {
    let vars = BTreeMap::from([("caller".to_string(), "13800138000".to_string())]);
    let mut s = Session::start(flow(json), vars, Time(0));
    let mut text = String::new();
    let drain = |s: &mut Session, t: u64, text: &mut String| {
        while let Some(o) = s.poll_output() {
            text.push_str(&format!("{t:<6} {o:?}\n"));
        }
    };
    drain(&mut s, 0, &mut text);
    for (t, input) in script {
        while let Some(d) = s.next_deadline().filter(|d| d.0 < *t) {
            s.handle(d, Input::Tick);
            drain(&mut s, d.0, &mut text);
        }
        s.handle(Time(*t), input.clone());
        drain(&mut s, *t, &mut text);
    }
    text.push_str(&format!("at {} done={}", s.node(), s.is_done()));
    text
}

fn check(json: &str, script: &[(u64, Input)], expect: Expect) {
    expect.assert_eq(&walk(json, script));
}

use Input::{Digit, PromptDone, Tick};

#[test]
fn two_menu_levels_then_a_queue() {
    check(
        SHOP,
        &[(3_000, PromptDone), (4_000, PromptDone), (5_000, Digit('2')), (6_000, Digit('1'))],
        expect![[r#"
            0      Play("welcome")
            3000   Play("main_menu")
            5000   Play("after_menu")
            6000   StopPrompt
            6000   Enqueue { queue: "support", priority: 0, vars: {"caller": "13800138000", "topic": "logistics for 13800138000"} }
            at support done=true"#]],
    );
}

#[test]
fn keys_barge_in_and_digits_are_collected_with_a_terminator() {
    check(
        SHOP,
        &[
            (3_000, PromptDone),
            (3_500, Digit('1')),
            (4_000, Digit('1')),
            (4_100, Digit('2')),
            (4_200, Digit('3')),
            (4_300, Digit('4')),
            (4_400, Digit('5')),
            (4_500, Digit('6')),
            (4_600, Digit('#')),
        ],
        expect![[r#"
            0      Play("welcome")
            3000   Play("main_menu")
            3500   StopPrompt
            3500   Play("enter_order")
            4000   StopPrompt
            4600   Enqueue { queue: "orders", priority: 1, vars: {"caller": "13800138000", "order": "123456"} }
            at orders done=true"#]],
    );
}

#[test]
fn silence_and_wrong_keys_use_up_the_retries_then_reach_an_agent() {
    check(
        SHOP,
        &[
            (3_000, PromptDone),
            (4_000, PromptDone),
            // 5 s of silence: the menu again.
            (10_000, PromptDone),
            // A wrong key: the invalid prompt, then the menu.
            (11_000, Digit('9')),
            (12_000, PromptDone),
            (13_000, PromptDone),
            (30_000, Tick),
        ],
        expect![[r#"
            0      Play("welcome")
            3000   Play("main_menu")
            9000   Play("main_menu")
            11000  Play("invalid")
            12000  Play("main_menu")
            18000  Enqueue { queue: "sales", priority: 0, vars: {"caller": "13800138000"} }
            at agent done=true"#]],
    );
}

#[test]
fn a_short_order_number_is_asked_again() {
    check(
        SHOP,
        &[
            (3_000, PromptDone),
            (3_500, Digit('1')),
            (4_000, PromptDone),
            (5_000, Digit('1')),
            (5_100, Digit('#')),
            (6_000, PromptDone),
        ],
        expect![[r#"
            0      Play("welcome")
            3000   Play("main_menu")
            3500   StopPrompt
            3500   Play("enter_order")
            5100   Play("enter_order")
            at order_no done=false"#]],
    );
}

#[test]
fn an_id_number_is_checked() {
    let json = r#"{ "id": "id", "start": "ask", "nodes": {
        "ask": { "type": "collect", "prompt": "id", "var": "id", "min_digits": 18, "max_digits": 18,
                 "validate": "chinese_id", "retries": 0, "next": "ok", "on_failure": "bye" },
        "ok": { "type": "enqueue", "queue": "vip" },
        "bye": { "type": "hangup" } } }"#;
    let good: Vec<(u64, Input)> = "11010519491231002*".chars().enumerate().map(|(i, c)| (i as u64 * 100 + 100, Digit(c))).collect();
    assert!(walk(json, &good).contains("Enqueue { queue: \"vip\""));
    let bad: Vec<(u64, Input)> = "110105194912310021".chars().enumerate().map(|(i, c)| (i as u64 * 100 + 100, Digit(c))).collect();
    assert!(walk(json, &bad).ends_with("Hangup\nat bye done=true"), "{}", walk(json, &bad));
}

#[test]
fn set_loops_fail_instead_of_spinning() {
    let json = r#"{ "id": "loop", "start": "a", "nodes": {
        "a": { "type": "set", "var": "x", "value": "1", "next": "b" },
        "b": { "type": "condition", "var": "x", "equals": "1", "then": "a", "otherwise": "end" },
        "end": { "type": "hangup" } } }"#;
    check(json, &[], expect![[r#"
        0      Failed("more than 1000 steps without waiting for the caller")
        0      Hangup
        at b done=true"#]]);
}

#[test]
fn validation_names_node_and_field() {
    let json = r#"{ "id": "bad", "start": "main", "nodes": {
        "main": { "type": "menu", "prompt": "", "choices": { "1": "nowhere", "12": "end" }, "on_failure": "main" },
        "orphan": { "type": "play", "prompts": ["x"], "next": "end" },
        "end": { "type": "hangup" } } }"#;
    let errors: Vec<String> = validate(&flow(json)).iter().map(ToString::to_string).collect();
    expect![[r#"
        [
            "node `main`, field `choices.1`: unknown node `nowhere`",
            "node `main`, field `prompt`: missing prompt",
            "node `main`, field `choices.12`: a choice is one key: 0-9, * or #",
        ]"#]]
    .assert_eq(&format!("{errors:#?}"));

    let json = r#"{ "id": "trap", "start": "main", "nodes": {
        "main": { "type": "menu", "prompt": "m", "choices": { "1": "again" }, "on_failure": "main" },
        "again": { "type": "play", "prompts": ["x"], "next": "main" },
        "orphan": { "type": "hangup" } } }"#;
    let errors: Vec<String> = validate(&flow(json)).iter().map(ToString::to_string).collect();
    expect![[r#"
        [
            "node `orphan`, field ``: unreachable from the start node",
            "node `again`, field ``: loops with no way out: no enqueue or hang-up can be reached from here",
            "node `main`, field ``: loops with no way out: no enqueue or hang-up can be reached from here",
        ]"#]]
    .assert_eq(&format!("{errors:#?}"));

    assert!(validate(&flow(SHOP)).is_empty());
}

#[test]
fn unknown_fields_and_node_types_are_refused() {
    let e = serde_json::from_str::<Flow>(r#"{ "id": "x", "start": "a", "nodes": { "a": { "type": "dance" } } }"#).unwrap_err();
    assert!(e.to_string().contains("unknown variant `dance`"), "{e}");
    let e = serde_json::from_str::<Flow>(r#"{ "id": "x", "start": "a", "nodes": { "a": { "type": "hangup", "colour": 1 } } }"#)
        .unwrap_err();
    assert!(e.to_string().contains("unknown field `colour`"), "{e}");
}

#[test]
fn after_hours_callers_are_routed_elsewhere() {
    let json = r#"{ "id": "hours", "start": "when", "nodes": {
        "when": { "type": "schedule", "open": "agents", "closed": "closed",
                  "schedule": { "open": [ { "days": [1,2,3,4,5], "from": "09:00", "to": "18:00" } ] } },
        "agents": { "type": "enqueue", "queue": "sales" },
        "closed": { "type": "play", "prompts": ["closed"], "next": "bye" },
        "bye": { "type": "hangup" } } }"#;
    let f = flow(json);
    assert!(validate(&f).is_empty());
    // Monday 2026-11-23 10:00 and 20:00 China Standard Time.
    let at = |ms: u64| {
        let mut s = Session::start(f.clone(), BTreeMap::new(), Time(ms));
        s.poll_output()
    };
    assert!(matches!(at(1_795_399_200_000), Some(Output::Enqueue { .. })));
    assert_eq!(at(1_795_435_200_000), Some(Output::Play("closed".into())));
}

#[test]
fn a_looked_up_amount_is_said_in_the_callers_language() {
    let json = r#"{ "id": "balance", "start": "say", "nodes": {
        "say": { "type": "say", "value": "{balance}", "as": "amount", "next": "bye" },
        "bye": { "type": "hangup" } } }"#;
    let vars = BTreeMap::from([("balance".to_string(), "1234.5".to_string()), ("lang".to_string(), "en".to_string())]);
    let mut s = Session::start(flow(json), vars, Time(0));
    let mut played = Vec::new();
    for _ in 0..20 {
        match s.poll_output() {
            Some(Output::Play(p)) => {
                played.push(p);
                s.handle(Time(0), PromptDone);
            }
            Some(Output::Hangup) => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(played.join(" "), "en/1 en/thousand en/2 en/hundred en/30 en/4 en/yuan en/and en/50 en/fen");
}

const ORDER_STATUS: &str = r#"{ "id": "orders", "start": "ask", "nodes": {
    "ask": { "type": "collect", "prompt": "enter_order", "var": "order", "min_digits": 4, "max_digits": 12,
             "next": "find", "on_failure": "agent" },
    "find": { "type": "lookup", "backend": "orders", "params": { "order": "{order}", "phone": "{caller}" },
              "prefix": "o", "timeout_secs": 3, "next": "status", "on_error": "agent" },
    "status": { "type": "condition", "var": "o.status", "equals": "shipped", "then": "shipped", "otherwise": "agent" },
    "shipped": { "type": "play", "prompts": ["order_shipped"], "next": "bye" },
    "bye": { "type": "hangup" },
    "agent": { "type": "enqueue", "queue": "support" } } }"#;

#[test]
fn a_lookup_answer_drives_the_flow() {
    check(
        ORDER_STATUS,
        &[
            (1_000, Digit('1')),
            (1_100, Digit('2')),
            (1_200, Digit('3')),
            (1_300, Digit('4')),
            (1_400, Digit('#')),
            (1_900, Input::LookupResult(Some(BTreeMap::from([("status".into(), "shipped".into())])))),
            (4_000, PromptDone),
        ],
        expect![[r#"
            0      Play("enter_order")
            1000   StopPrompt
            1400   Lookup { backend: "orders", params: {"order": "1234", "phone": "13800138000"} }
            1900   Play("order_shipped")
            4000   Hangup
            at bye done=true"#]],
    );
}

#[test]
fn a_slow_lookup_falls_back_to_an_agent() {
    check(
        ORDER_STATUS,
        &[
            (1_000, Digit('1')),
            (1_100, Digit('2')),
            (1_200, Digit('3')),
            (1_300, Digit('4')),
            (1_400, Digit('#')),
            // No answer in 3 s; a late answer changes nothing.
            (5_000, Input::LookupResult(Some(BTreeMap::new()))),
        ],
        expect![[r#"
            0      Play("enter_order")
            1000   StopPrompt
            1400   Lookup { backend: "orders", params: {"order": "1234", "phone": "13800138000"} }
            4400   Enqueue { queue: "support", priority: 0, vars: {"caller": "13800138000", "order": "1234"} }
            at agent done=true"#]],
    );
}

/// A card number taken by a secure collect node: checked by a lookup, then
/// the caller is queued without it.
const PAY: &str = r#"{
  "id": "pay",
  "start": "card",
  "nodes": {
    "card": { "type": "collect", "prompt": "enter_card", "var": "card", "min_digits": 4, "max_digits": 19, "secure": true,
              "next": "check", "on_failure": "agent" },
    "check": { "type": "lookup", "backend": "payments", "params": { "card": "{card}" }, "next": "agent", "on_error": "agent" },
    "agent": { "type": "enqueue", "queue": "billing" }
  }
}"#;

#[test]
fn secure_digits_reach_the_lookup_but_never_leave_with_the_caller() {
    let script = [Digit('4'), Digit('1'), Digit('1'), Digit('1'), Digit('#')].into_iter().enumerate().map(|(i, d)| (1_000 + i as u64 * 100, d)).chain([(2_000, Input::LookupResult(Some(BTreeMap::from([("ok".to_string(), "1".to_string())]))))]);
    let text = walk(PAY, &script.collect::<Vec<_>>());
    assert!(text.contains(r#"Lookup { backend: "payments", params: {"card": "4111"} }"#), "{text}");
    let enqueue = text.lines().find(|l| l.contains("Enqueue")).unwrap_or_else(|| panic!("{text}"));
    assert!(!enqueue.contains("4111") && !enqueue.contains("card\""), "the card number stays in the session: {enqueue}");
    assert!(enqueue.contains("lookup.ok"), "what the lookup answered goes on: {enqueue}");
}

//! What a queued caller hears, the callback that keeps their place, and the
//! post-call survey; and the emergency broadcast before the flow.

mod common;

use std::sync::Arc;

use expect_test::{expect, Expect};
use hotline_calls::*;

const C: CallId = CallId(1);

fn survey() -> Arc<hotline_ivr::Flow> {
    Arc::new(
        serde_json::from_str(
            r#"{ "id": "csat", "start": "ask", "nodes": {
                "ask": { "type": "menu", "prompt": "rate_us", "choices": { "1": "s1", "5": "s5" }, "retries": 0, "on_failure": "bye" },
                "s1": { "type": "set", "var": "score", "value": "1", "next": "thanks" },
                "s5": { "type": "set", "var": "score", "value": "5", "next": "thanks" },
                "thanks": { "type": "play", "prompts": ["thanks"], "next": "bye" },
                "bye": { "type": "hangup" } } }"#,
        )
        .unwrap(),
    )
}

fn config() -> Config {
    let greeting = Greeting {
        number: "1000".into(),
        choices: vec![('1', "sales".into())],
        default_queue: "sales".into(),
        replay_after_secs: 5,
        no_input_to_agent_secs: 30,
        max_invalid: 2,
    };
    Config {
        entries: vec![greeting.entry()],
        queues: vec![QueueExperience {
            queue: "sales".into(),
            announce_every_ms: Some(30_000),
            callback_after_ms: Some(60_000),
            callback_key: '1',
            comfort: None,
            survey: Some(survey()),
        }],
    }
}

fn check(script: &[(u64, Input)], expect: Expect) {
    let mut o = Orchestrator::new(config());
    // Keep the snapshots short: the IVR part is tested elsewhere.
    let text = common::play(&mut o, script, |out| match out {
        Output::Submit { queue, .. } => Some(format!("Submit {queue}")),
        _ => None,
    });
    expect.assert_eq(&text);
}

fn enter() -> Vec<(u64, Input)> {
    vec![
        (0, Input::Incoming { call: C, contact: "k1".into(), to: "1000".into(), from: "13800138000".into(), agent: None }),
        (1_000, Input::Digit { call: C, digit: '1' }),
    ]
}

fn done() -> Input {
    Input::PromptDone { call: C }
}

#[test]
fn position_and_wait_are_announced_then_music_resumes() {
    let mut script = enter();
    script.extend([
        (31_000, Input::Place { call: C, position: 3, ewt_ms: Some(125_000) }),
        (32_000, done()),
        (33_000, done()),
        (34_000, done()),
        (35_000, done()),
        (36_000, done()),
        (37_000, done()),
        // No estimate yet: the position only.
        (61_000, Input::Place { call: C, position: 12, ewt_ms: None }),
    ]);
    check(
        &script,
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit sales
            1000   Play { call: CallId(1), prompt: "moh" }
            31000  QueryPlace { call: CallId(1), contact: "k1" }
            31000  StopMedia { call: CallId(1) }
            31000  Play { call: CallId(1), prompt: "position_is" }
            32000  Play { call: CallId(1), prompt: "zh/3" }
            33000  Play { call: CallId(1), prompt: "in_queue" }
            34000  Play { call: CallId(1), prompt: "wait_is" }
            35000  Play { call: CallId(1), prompt: "zh/3" }
            36000  Play { call: CallId(1), prompt: "minutes" }
            37000  Play { call: CallId(1), prompt: "moh" }
            61000  QueryPlace { call: CallId(1), contact: "k1" }
            61000  StopMedia { call: CallId(1) }
            61000  Play { call: CallId(1), prompt: "position_is" }
        "#]],
    );
}

#[test]
fn a_callback_keeps_the_place_then_calls_agent_first_and_customer_second() {
    let mut script = enter();
    script.extend([
        // Too early for a callback: the key does nothing.
        (20_000, Input::Digit { call: C, digit: '1' }),
        (61_000, Input::Place { call: C, position: 2, ewt_ms: None }),
        (61_500, Input::Digit { call: C, digit: '1' }),
        (64_000, done()),
        // Later an agent takes the contact.
        (300_000, Input::Offered { contact: "k1".into(), offer: "9".into(), agent: "a1".into(), extension: "8001".into() }),
        (303_000, Input::AgentAnswered { call: C }),
        (303_001, Input::AcceptResult { call: C, ok: true }),
        (310_000, Input::CustomerAnswered { call: C }),
        (400_000, Input::AgentGone { call: C }),
    ]);
    check(
        &script,
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit sales
            1000   Play { call: CallId(1), prompt: "moh" }
            31000  QueryPlace { call: CallId(1), contact: "k1" }
            61000  QueryPlace { call: CallId(1), contact: "k1" }
            61000  StopMedia { call: CallId(1) }
            61000  Play { call: CallId(1), prompt: "position_is" }
            61500  StopMedia { call: CallId(1) }
            61500  Play { call: CallId(1), prompt: "callback_confirmed" }
            64000  Hangup { call: CallId(1), side: Caller, cause: NormalClearing }
            300000 Dial { call: CallId(1), extension: "8001" }
            303000 AcceptOffer { call: CallId(1), offer: "9" }
            303001 CallCustomer { call: CallId(1), number: "13800138000" }
            310000 Bridge { call: CallId(1) }
            400000 Finish { contact: "k1", cause: NormalClearing }
            400000 StopMedia { call: CallId(1) }
            400000 Play { call: CallId(1), prompt: "rate_us" }
        "#]],
    );
}

#[test]
fn a_callback_nobody_answers_ends_with_no_answer() {
    let mut script = enter();
    script.extend([
        (61_500, Input::Digit { call: C, digit: '1' }),
        (62_000, Input::CallerGone { call: C }),
        (90_000, Input::Offered { contact: "k1".into(), offer: "2".into(), agent: "a1".into(), extension: "8001".into() }),
        (91_000, Input::AgentAnswered { call: C }),
        (91_001, Input::AcceptResult { call: C, ok: true }),
        (121_000, Input::CustomerFailed { call: C }),
    ]);
    check(
        &script,
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit sales
            1000   Play { call: CallId(1), prompt: "moh" }
            31000  QueryPlace { call: CallId(1), contact: "k1" }
            61000  QueryPlace { call: CallId(1), contact: "k1" }
            61500  StopMedia { call: CallId(1) }
            61500  Play { call: CallId(1), prompt: "callback_confirmed" }
            90000  Dial { call: CallId(1), extension: "8001" }
            91000  AcceptOffer { call: CallId(1), offer: "2" }
            91001  CallCustomer { call: CallId(1), number: "13800138000" }
            121000 Hangup { call: CallId(1), side: Agent, cause: NoAnswer }
            121000 Finish { contact: "k1", cause: NoAnswer }
            121000 Ended { call: CallId(1), cause: NoAnswer }
        "#]],
    );
}

#[test]
fn the_survey_follows_the_agents_hang_up() {
    let mut script = enter();
    script.extend([
        (5_000, Input::Offered { contact: "k1".into(), offer: "1".into(), agent: "a1".into(), extension: "8001".into() }),
        (6_000, Input::AgentAnswered { call: C }),
        (6_001, Input::AcceptResult { call: C, ok: true }),
        (90_000, Input::AgentGone { call: C }),
        (91_000, Input::Digit { call: C, digit: '5' }),
        (92_000, done()),
    ]);
    check(
        &script,
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit sales
            1000   Play { call: CallId(1), prompt: "moh" }
            5000   Dial { call: CallId(1), extension: "8001" }
            6000   AcceptOffer { call: CallId(1), offer: "1" }
            6001   StopMedia { call: CallId(1) }
            6001   Bridge { call: CallId(1) }
            90000  Finish { contact: "k1", cause: NormalClearing }
            90000  StopMedia { call: CallId(1) }
            90000  Play { call: CallId(1), prompt: "rate_us" }
            91000  StopMedia { call: CallId(1) }
            91000  Play { call: CallId(1), prompt: "thanks" }
            92000  SurveyResult { contact: "k1", vars: {"caller": "13800138000", "score": "5"} }
            92000  Hangup { call: CallId(1), side: Caller, cause: NormalClearing }
            92000  Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
}

#[test]
fn an_emergency_broadcast_plays_before_or_instead_of_the_flow() {
    let incoming = |c: u64| Input::Incoming { call: CallId(c), contact: format!("k{c}"), to: "1000".into(), from: "1".into(), agent: None };
    let notice = |instead: bool| Input::SetBroadcast { number: "1000".into(), broadcast: Some(Broadcast { prompt: "outage".into(), instead }) };
    check(
        &[
            (0, notice(false)),
            (0, incoming(1)),
            (5_000, Input::PromptDone { call: CallId(1) }),
            (6_000, notice(true)),
            (6_000, incoming(2)),
            (9_000, Input::PromptDone { call: CallId(2) }),
            (10_000, Input::SetBroadcast { number: "1000".into(), broadcast: None }),
            (10_000, incoming(3)),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "outage" }
            5000   Play { call: CallId(1), prompt: "greeting" }
            6000   Answer { call: CallId(2) }
            6000   Play { call: CallId(2), prompt: "outage" }
            9000   Hangup { call: CallId(2), side: Caller, cause: NormalClearing }
            9000   Ended { call: CallId(2), cause: NormalClearing }
            10000  Answer { call: CallId(3) }
            10000  Play { call: CallId(3), prompt: "greeting" }
        "#]],
    );
}

#[test]
fn a_comfort_message_follows_each_announcement() {
    let mut cfg = config();
    cfg.queues[0].comfort = Some("tts:cmn:您的来电对我们非常重要，请耐心等候。".into());
    let mut o = Orchestrator::new(cfg);
    let mut script = enter();
    script.extend([(31_000, Input::Place { call: C, position: 2, ewt_ms: None }), (32_000, done()), (33_000, done()), (34_000, done()), (35_000, done())]);
    let text = common::play(&mut o, &script, |_| None);
    let plays: Vec<&str> = text.lines().filter(|l| l.contains("Play")).skip(2).map(|l| l.split("prompt: ").nth(1).unwrap_or("")).collect();
    assert_eq!(plays, ["\"position_is\" }", "\"zh/2\" }", "\"in_queue\" }", "\"tts:cmn:您的来电对我们非常重要，请耐心等候。\" }", "\"moh\" }"], "{text}");
}

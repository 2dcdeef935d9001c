//! Call flows as timed scripts and the outputs they produce.

mod common;

use expect_test::{expect, Expect};
use hotline_calls::*;

fn greeting(max_invalid: u32) -> Entry {
    Greeting {
        number: "1000".into(),
        choices: vec![('1', "sales".into()), ('2', "support".into())],
        default_queue: "sales".into(),
        replay_after_secs: 5,
        no_input_to_agent_secs: 30,
        max_invalid,
    }
    .entry()
}

const C: CallId = CallId(1);

fn incoming(to: &str, agent: Option<&str>) -> Input {
    Input::Incoming { call: C, contact: "k1".into(), to: to.into(), from: "13800138000".into(), agent: agent.map(Into::into) }
}

fn digit(d: char) -> Input {
    Input::Digit { call: C, digit: d }
}

fn offered(offer: &str, ext: &str) -> Input {
    Input::Offered { contact: "k1".into(), offer: offer.into(), agent: format!("a{ext}"), extension: ext.into() }
}

fn offer_ended(offer: &str, end: OfferEnd) -> Input {
    Input::OfferEnded { contact: "k1".into(), offer: offer.into(), end }
}

/// A caller who pressed 1 and is bridged to 8002 at 2 s (offer "1").
fn bridged() -> Vec<(u64, Input)> {
    vec![
        (0, incoming("1000", None)),
        (1_000, digit('1')),
        (1_500, offered("1", "8002")),
        (2_000, Input::AgentAnswered { call: C }),
        (2_001, Input::AcceptResult { call: C, ok: true }),
    ]
}

/// `bridged()`, then `more`.
fn after_bridge(more: &[(u64, Input)]) -> Vec<(u64, Input)> {
    [bridged(), more.to_vec()].concat()
}

fn run(script: &[(u64, Input)]) -> (Orchestrator, String) {
    run_with(greeting(2), script)
}

fn run_with(entry: Entry, script: &[(u64, Input)]) -> (Orchestrator, String) {
    let mut o = Orchestrator::new(Config { entries: vec![entry], queues: Vec::new() });
    let text = common::play(&mut o, script, |_| None);
    (o, text)
}

fn check(script: &[(u64, Input)], expect: Expect) {
    check_with(greeting(2), script, expect)
}

fn check_with(entry: Entry, script: &[(u64, Input)], expect: Expect) {
    let (o, text) = run_with(entry, script);
    expect.assert_eq(&text);
    let ended = text.lines().filter(|l| l.contains("Ended {")).count();
    if ended > 0 {
        assert_eq!(o.call_count(), 0, "an ended call is forgotten");
    }
    assert!(ended <= 1, "a call ends once");
}

#[test]
fn caller_reaches_an_agent_and_the_caller_hangs_up() {
    check(
        &[
            (0, incoming("1000", None)),
            (2_000, Input::PromptDone { call: C }),
            (3_000, digit('2')),
            (4_000, offered("7", "8001")),
            (4_100, Input::AgentRinging { call: C }),
            (6_000, Input::AgentAnswered { call: C }),
            (6_010, Input::AcceptResult { call: C, ok: true }),
            (60_000, Input::CallerGone { call: C }),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            3000   StopMedia { call: CallId(1) }
            3000   Submit { call: CallId(1), contact: "k1", queue: "support", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            3000   Play { call: CallId(1), prompt: "moh" }
            4000   Dial { call: CallId(1), extension: "8001" }
            6000   AcceptOffer { call: CallId(1), offer: "7" }
            6010   StopMedia { call: CallId(1) }
            6010   Bridge { call: CallId(1) }
            60000  Hangup { call: CallId(1), side: Agent, cause: NormalClearing }
            60000  Finish { contact: "k1", cause: NormalClearing }
            60000  Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
}

#[test]
fn agent_hangs_up_first() {
    check(
        &after_bridge(&[
            (9_000, Input::AgentGone { call: C }),
            (9_001, Input::CallerGone { call: C }),
        ]),
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1500   Dial { call: CallId(1), extension: "8002" }
            2000   AcceptOffer { call: CallId(1), offer: "1" }
            2001   StopMedia { call: CallId(1) }
            2001   Bridge { call: CallId(1) }
            9000   Hangup { call: CallId(1), side: Caller, cause: NormalClearing }
            9000   Finish { contact: "k1", cause: NormalClearing }
            9000   Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
}

#[test]
fn thirty_seconds_without_a_key_goes_to_an_agent() {
    // Many retries allowed: the 30 s rule, not the menu, decides.
    check_with(
        greeting(9),
        &[
            (0, incoming("1000", None)),
            (4_000, Input::PromptDone { call: C }),
            // Replayed after 5 s of silence ...
            (14_000, Input::PromptDone { call: C }),
            (24_000, Input::PromptDone { call: C }),
            // ... and at 30 s the caller is queued in the default queue.
            (31_000, Input::Tick),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            9000   Play { call: CallId(1), prompt: "greeting" }
            19000  Play { call: CallId(1), prompt: "greeting" }
            29000  Play { call: CallId(1), prompt: "greeting" }
            30000  StopMedia { call: CallId(1) }
            30000  Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            30000  Play { call: CallId(1), prompt: "moh" }
        "#]],
    );
}

#[test]
fn invalid_keys_replay_then_route_to_the_default_queue() {
    check(
        &[
            (0, incoming("1000", None)),
            (1_000, digit('9')),
            (2_000, Input::PromptDone { call: C }),
            (3_000, digit('#')),
            (4_000, digit('7')),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Play { call: CallId(1), prompt: "invalid" }
            2000   Play { call: CallId(1), prompt: "greeting" }
            3000   StopMedia { call: CallId(1) }
            3000   Play { call: CallId(1), prompt: "invalid" }
            4000   StopMedia { call: CallId(1) }
            4000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            4000   Play { call: CallId(1), prompt: "moh" }
        "#]],
    );
}

#[test]
fn caller_hangs_up_while_the_agent_rings() {
    check(
        &[
            (0, incoming("1000", None)),
            (1_000, digit('1')),
            (1_500, offered("3", "8001")),
            (3_000, Input::CallerGone { call: C }),
            // Routing rescinds the offer after the abandon: nothing more to do.
            (3_001, offer_ended("3", OfferEnd::Rescinded)),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1500   Dial { call: CallId(1), extension: "8001" }
            3000   CancelDial { call: CallId(1) }
            3000   Abandon { contact: "k1" }
            3000   Ended { call: CallId(1), cause: OriginatorCancel }
        "#]],
    );
}

#[test]
fn unanswered_and_busy_phones_go_to_the_next_agent() {
    check(
        &[
            (0, incoming("1000", None)),
            (1_000, digit('1')),
            (1_000, offered("1", "8001")),
            (21_000, offer_ended("1", OfferEnd::TimedOut)),
            (21_000, offered("2", "8002")),
            (21_100, Input::AgentFailed { call: C, why: DialFailure::Busy }),
            // Routing confirms the rejection; already handled.
            (21_100, offer_ended("2", OfferEnd::Rejected)),
            (21_100, offered("3", "8003")),
            (22_000, Input::AgentAnswered { call: C }),
            (22_001, Input::AcceptResult { call: C, ok: true }),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1000   Dial { call: CallId(1), extension: "8001" }
            21000  CancelDial { call: CallId(1) }
            21000  Dial { call: CallId(1), extension: "8002" }
            21100  RejectOffer { offer: "2" }
            21100  Dial { call: CallId(1), extension: "8003" }
            22000  AcceptOffer { call: CallId(1), offer: "3" }
            22001  StopMedia { call: CallId(1) }
            22001  Bridge { call: CallId(1) }
        "#]],
    );
}

#[test]
fn a_late_answer_loses_the_race_and_the_caller_keeps_waiting() {
    check(
        &[
            (0, incoming("1000", None)),
            (1_000, digit('1')),
            (1_000, offered("1", "8001")),
            (20_999, Input::AgentAnswered { call: C }),
            (21_000, Input::AcceptResult { call: C, ok: false }),
            (21_000, offered("2", "8002")),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1000   Dial { call: CallId(1), extension: "8001" }
            20999  AcceptOffer { call: CallId(1), offer: "1" }
            21000  Hangup { call: CallId(1), side: Agent, cause: LoseRace }
            21000  Dial { call: CallId(1), extension: "8002" }
        "#]],
    );
}

#[test]
fn caller_leaves_while_the_answer_is_confirmed() {
    check(
        &[
            (0, incoming("1000", None)),
            (1_000, digit('1')),
            (1_000, offered("1", "8001")),
            (5_000, Input::AgentAnswered { call: C }),
            (5_000, Input::CallerGone { call: C }),
            (5_001, Input::AcceptResult { call: C, ok: true }),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1000   Dial { call: CallId(1), extension: "8001" }
            5000   AcceptOffer { call: CallId(1), offer: "1" }
            5000   Hangup { call: CallId(1), side: Agent, cause: OriginatorCancel }
            5001   Finish { contact: "k1", cause: OriginatorCancel }
            5001   Ended { call: CallId(1), cause: OriginatorCancel }
        "#]],
    );
}

#[test]
fn giving_up_plays_sorry_then_hangs_up() {
    check(
        &[
            (0, incoming("1000", None)),
            (1_000, digit('1')),
            (1_000, offered("1", "8001")),
            (61_000, Input::GaveUp { contact: "k1".into(), action: GiveUpAction::Hangup }),
            (61_000, offer_ended("1", OfferEnd::Rescinded)),
            (64_000, Input::PromptDone { call: C }),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1000   Dial { call: CallId(1), extension: "8001" }
            61000  CancelDial { call: CallId(1) }
            61000  StopMedia { call: CallId(1) }
            61000  Play { call: CallId(1), prompt: "sorry" }
            64000  Hangup { call: CallId(1), side: Caller, cause: GaveUp }
            64000  Ended { call: CallId(1), cause: GaveUp }
        "#]],
    );
}

#[test]
fn other_numbers_need_an_agent_who_hears_ringback_until_the_callee_answers() {
    check(
        &[(0, incoming("13900000000", None))],
        expect![[r#"
            0      Refuse { call: CallId(1), cause: CallRejected }
            0      Ended { call: CallId(1), cause: CallRejected }
        "#]],
    );
    check(
        &[
            (0, incoming("8002", Some("8001"))),
            (2_000, Input::AgentAnswered { call: C }),
            (30_000, Input::CallerGone { call: C }),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "ringback" }
            0      DialOut { call: CallId(1), number: "8002" }
            2000   StopMedia { call: CallId(1) }
            2000   Bridge { call: CallId(1) }
            30000  Hangup { call: CallId(1), side: Agent, cause: NormalClearing }
            30000  Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
}

#[test]
fn stray_inputs_change_nothing() {
    check(
        &[
            (0, offered("1", "8001")),
            (0, Input::AgentAnswered { call: CallId(9) }),
            (0, Input::AcceptResult { call: CallId(9), ok: true }),
            (0, Input::CallerGone { call: CallId(9) }),
            (0, incoming("1000", None)),
            (1, incoming("1000", None)),
            (2, Input::AgentAnswered { call: C }),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            2      Hangup { call: CallId(1), side: Agent, cause: LoseRace }
        "#]],
    );
}

#[test]
fn reconciler_repairs_drift() {
    let (o, _) = run(&[
        (0, incoming("1000", None)),
        (1_000, digit('1')),
        (1_000, offered("1", "8001")),
        (2_000, Input::AgentAnswered { call: C }),
        (2_001, Input::AcceptResult { call: C, ok: true }),
    ]);
    let facts = |agent: &str, offer: Option<(&str, &str)>, voice: &[&str], status: &str| AgentFacts {
        agent: agent.into(),
        status: status.into(),
        offer: offer.map(|(o, c)| (o.into(), c.into())),
        voice_contacts: voice.iter().map(|c| c.to_string()).collect(),
        offer_is_voice: true,
    };
    let agents = vec![
        // Consistent: talking on k1, which routing knows.
        facts("a8001", None, &["k1"], "available"),
        // Busy with a call that does not exist.
        facts("a8002", None, &["gone"], "available"),
        // Ringing for a caller who is gone.
        facts("a8003", Some(("5", "gone2")), &[], "available"),
    ];
    assert_eq!(
        reconcile(&agents, &o),
        vec![
            Repair::FinishContact { agent: "a8002".into(), contact: "gone".into() },
            Repair::DropContact { agent: "a8003".into(), contact: "gone2".into() },
        ]
    );
    // Routing lost the contact while the agent still talks: hold them.
    let agents = vec![facts("a8001", None, &[], "available")];
    assert_eq!(reconcile(&agents, &o), vec![Repair::HoldAgent { agent: "a8001".into(), contact: "k1".into() }]);
}

#[test]
fn a_changed_dial_plan_reaches_new_calls_while_calls_in_progress_keep_theirs() {
    let mut o = Orchestrator::new(Config { entries: vec![greeting(2)], queues: Vec::new() });
    let first = |call: u64, contact: &str| Input::Incoming { call: CallId(call), contact: contact.into(), to: "1000".into(), from: "13800138000".into(), agent: None };
    common::play(&mut o, &[(0, first(1, "k1"))], |_| None);
    // 1000 now runs a flow that queues straight into `support`.
    let direct = Entry {
        number: "1000".into(),
        flow: std::sync::Arc::new(serde_json::from_str(r#"{"id":"direct","start":"q","nodes":{"q":{"type":"enqueue","queue":"support"}}}"#).unwrap()),
        no_input_to_agent_ms: None,
        default_queue: "support".into(),
    };
    o.set_entries(vec![direct.clone()]);
    let text = common::play(&mut o, &[(1_000, first(2, "k2")), (1_500, Input::Digit { call: CallId(1), digit: '1' })], |out| match out {
        Output::Submit { call, queue, .. } => Some(format!("Submit {call} {queue}")),
        _ => None,
    });
    assert!(text.contains("Submit call2 support"), "the new call runs the new flow:\n{text}");
    assert!(text.contains("Submit call1 sales"), "the call in progress keeps its menu:\n{text}");
    // The same plan again changes nothing; a plan without 1000 stops serving it.
    o.set_entries(vec![direct]);
    o.set_entries(Vec::new());
    let text = common::play(&mut o, &[(2_000, first(3, "k3"))], |_| None);
    assert!(text.contains("Refuse { call: CallId(3), cause: CallRejected }"), "{text}");
}

fn flow_entry(json: &str) -> Entry {
    Entry {
        number: "1000".into(),
        flow: std::sync::Arc::new(serde_json::from_str(json).unwrap()),
        no_input_to_agent_ms: None,
        default_queue: "sales".into(),
    }
}

#[test]
fn voicemail_records_after_the_tone_until_hash_or_hang_up_or_the_limit() {
    let vm = || flow_entry(r#"{"id":"vm","start":"v","nodes":{"v":{"type":"voicemail","mailbox":"after_hours"}}}"#);
    check_with(
        vm(),
        &[(0, incoming("1000", None)), (1_000, Input::PromptDone { call: C }), (9_000, digit('5')), (10_000, digit('#'))],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      StopMedia { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "beep" }
            1000   RecordVoicemail { call: CallId(1), contact: "k1", mailbox: "after_hours", vars: {"caller": "13800138000", "dialled": "1000"} }
            10000  Hangup { call: CallId(1), side: Caller, cause: NormalClearing }
            10000  Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
    // Hanging up ends the message; nothing is left to hang up.
    let (_, text) = run_with(vm(), &[(0, incoming("1000", None)), (1_000, Input::PromptDone { call: C }), (30_000, Input::CallerGone { call: C })]);
    assert!(text.ends_with("30000  Ended { call: CallId(1), cause: NormalClearing }\n"), "{text}");
    assert!(!text.contains("Hangup"), "{text}");
    // A caller who never stops is cut off at the limit.
    let (_, text) = run_with(vm(), &[(0, incoming("1000", None)), (1_000, Input::PromptDone { call: C }), (200_000, Input::Tick)]);
    assert!(text.contains(&format!("{:<6} Hangup", 1_000 + VOICEMAIL_MAX_MS)), "{text}");
}

#[test]
fn a_transfer_rings_the_outside_number_and_bridges_or_says_sorry() {
    let tr = || flow_entry(r#"{"id":"tr","start":"t","nodes":{"t":{"type":"transfer","number":"95588"}}}"#);
    check_with(
        tr(),
        &[
            (0, incoming("1000", None)),
            (500, Input::AgentRinging { call: C }),
            (3_000, Input::AgentAnswered { call: C }),
            (60_000, Input::AgentGone { call: C }),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      StopMedia { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "moh" }
            0      DialOut { call: CallId(1), number: "95588" }
            3000   StopMedia { call: CallId(1) }
            3000   Bridge { call: CallId(1) }
            60000  Hangup { call: CallId(1), side: Caller, cause: NormalClearing }
            60000  Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
    let (_, text) = run_with(tr(), &[(0, incoming("1000", None)), (2_000, Input::AgentFailed { call: C, why: DialFailure::Busy }), (4_000, Input::PromptDone { call: C })]);
    assert!(text.contains("Play { call: CallId(1), prompt: \"sorry\" }"), "{text}");
    assert!(text.contains("Ended { call: CallId(1), cause: UserBusy }"), "{text}");
    let (_, text) = run_with(tr(), &[(0, incoming("1000", None)), (2_000, Input::CallerGone { call: C })]);
    assert!(text.contains("CancelDial") && text.contains("Ended { call: CallId(1), cause: OriginatorCancel }"), "{text}");
}

#[test]
fn an_offer_made_while_the_last_answer_is_confirmed_rings_when_that_fails() {
    check(
        &[
            (0, incoming("1000", None)),
            (1_000, digit('1')),
            (1_000, offered("1", "8001")),
            (2_000, Input::AgentAnswered { call: C }),
            // Routing withdrew offer 1 and offers the caller to 8002 before
            // the answer to the accept comes back.
            (2_001, offered("2", "8002")),
            (2_002, Input::AcceptResult { call: C, ok: false }),
        ],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1000   Dial { call: CallId(1), extension: "8001" }
            2000   AcceptOffer { call: CallId(1), offer: "1" }
            2002   Hangup { call: CallId(1), side: Agent, cause: LoseRace }
            2002   Dial { call: CallId(1), extension: "8002" }
        "#]],
    );
    // If the confirmation succeeds after all, the later offer is given back.
    let (_, text) = run(&[
        (0, incoming("1000", None)),
        (1_000, digit('1')),
        (1_000, offered("1", "8001")),
        (2_000, Input::AgentAnswered { call: C }),
        (2_001, offered("2", "8002")),
        (2_002, Input::AcceptResult { call: C, ok: true }),
    ]);
    assert!(text.contains("Bridge { call: CallId(1) }") && text.contains("RejectOffer { offer: \"2\" }"), "{text}");
}

#[test]
fn a_caller_who_waited_too_long_may_leave_a_message_or_is_promised_a_callback() {
    let waited = |action| {
        run(&[
            (0, incoming("1000", None)),
            (1_000, digit('1')),
            (61_000, Input::GaveUp { contact: "k1".into(), action }),
            (62_000, Input::PromptDone { call: C }),
            (70_000, Input::CallerGone { call: C }),
        ])
        .1
    };
    let vm = waited(GiveUpAction::Voicemail);
    assert!(vm.contains("Play { call: CallId(1), prompt: \"beep\" }"), "{vm}");
    assert!(vm.contains("RecordVoicemail { call: CallId(1), contact: \"k1\", mailbox: \"sales\", vars: {\"reason\": \"gave_up\"} }"), "{vm}");
    assert!(vm.ends_with("70000  Ended { call: CallId(1), cause: NormalClearing }\n"), "{vm}");
    let cb = waited(GiveUpAction::Callback);
    assert!(cb.contains("Play { call: CallId(1), prompt: \"callback_confirmed\" }"), "{cb}");
    assert!(cb.contains("62000  Hangup { call: CallId(1), side: Caller, cause: GaveUp }"), "{cb}");
}

#[test]
fn hold_plays_music_counts_each_hold_and_ends_with_the_call() {
    let script = after_bridge(&[
        (10_000, Input::Hold { call: C, on: true }),
        // Holding again while held, and a resume twice, are one each.
        (11_000, Input::Hold { call: C, on: true }),
        (15_000, Input::Hold { call: C, on: false }),
        (15_500, Input::Hold { call: C, on: false }),
        (20_000, Input::Hold { call: C, on: true }),
        // The caller hangs up while held: the last span counts.
        (23_000, Input::CallerGone { call: C }),
    ]);
    check(
        &script,
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1500   Dial { call: CallId(1), extension: "8002" }
            2000   AcceptOffer { call: CallId(1), offer: "1" }
            2001   StopMedia { call: CallId(1) }
            2001   Bridge { call: CallId(1) }
            10000  Held { call: CallId(1), contact: "k1", on: true, count: 1, total_ms: 0 }
            10000  Play { call: CallId(1), prompt: "moh" }
            15000  Held { call: CallId(1), contact: "k1", on: false, count: 1, total_ms: 5000 }
            15000  StopMedia { call: CallId(1) }
            20000  Held { call: CallId(1), contact: "k1", on: true, count: 2, total_ms: 5000 }
            20000  Play { call: CallId(1), prompt: "moh" }
            23000  Held { call: CallId(1), contact: "k1", on: false, count: 2, total_ms: 8000 }
            23000  Hangup { call: CallId(1), side: Agent, cause: NormalClearing }
            23000  Finish { contact: "k1", cause: NormalClearing }
            23000  Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
    // Only a bridged call is held: a queued caller's hold changes nothing.
    check(
        &[(0, incoming("1000", None)), (1_000, digit('1')), (2_000, Input::Hold { call: C, on: true })],
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
        "#]],
    );
}

#[test]
fn a_blind_transfer_to_a_queue_is_a_new_linked_contact_with_a_boost_and_the_first_agent_wraps_up() {
    let transfer = Input::Transfer { call: C, to: TransferTo::Queue { queue: "support".into(), contact: "k2".into(), note: "billing question".into(), by: "a8002".into() } };
    let (o, text) = run(&after_bridge(&[
        (5_000, Input::Hold { call: C, on: true }),
        (6_000, transfer.clone()),
        // The new contact is routed like any other.
        (7_000, Input::Offered { contact: "k2".into(), offer: "2".into(), agent: "a8003".into(), extension: "8003".into() }),
    ]));
    expect![[r#"
        0      Answer { call: CallId(1) }
        0      Play { call: CallId(1), prompt: "greeting" }
        1000   StopMedia { call: CallId(1) }
        1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
        1000   Play { call: CallId(1), prompt: "moh" }
        1500   Dial { call: CallId(1), extension: "8002" }
        2000   AcceptOffer { call: CallId(1), offer: "1" }
        2001   StopMedia { call: CallId(1) }
        2001   Bridge { call: CallId(1) }
        5000   Held { call: CallId(1), contact: "k1", on: true, count: 1, total_ms: 0 }
        5000   Play { call: CallId(1), prompt: "moh" }
        6000   Held { call: CallId(1), contact: "k1", on: false, count: 1, total_ms: 1000 }
        6000   Hangup { call: CallId(1), side: Agent, cause: Transferred }
        6000   Finish { contact: "k1", cause: Transferred }
        6000   Transferred { call: CallId(1), from: "k1", to: "k2", queue: "support" }
        6000   StopMedia { call: CallId(1) }
        6000   Submit { call: CallId(1), contact: "k2", queue: "support", priority: 50, vars: {"caller": "13800138000", "dialled": "1000", "transfer_note": "billing question", "transferred_by": "a8002", "transferred_from": "k1"} }
        6000   Play { call: CallId(1), prompt: "moh" }
        7000   Dial { call: CallId(1), extension: "8003" }
    "#]]
    .assert_eq(&text);
    assert_eq!(o.call_of("k2"), Some(C));
    assert_eq!(o.call_of("k1"), None, "the first contact is finished");
    // A transfer of a call that is not connected changes nothing.
    let (_, text) = run(&[(0, incoming("1000", None)), (1_000, digit('1')), (2_000, transfer)]);
    assert!(!text.contains("Transferred"), "{text}");
}

#[test]
fn a_blind_transfer_to_a_number_rings_it_while_the_caller_hears_music() {
    check(
        &after_bridge(&[
            (6_000, Input::Transfer { call: C, to: TransferTo::Number { number: "8004".into() } }),
            (7_000, Input::AgentAnswered { call: C }),
            (9_000, Input::CallerGone { call: C }),
        ]),
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1500   Dial { call: CallId(1), extension: "8002" }
            2000   AcceptOffer { call: CallId(1), offer: "1" }
            2001   StopMedia { call: CallId(1) }
            2001   Bridge { call: CallId(1) }
            6000   Hangup { call: CallId(1), side: Agent, cause: Transferred }
            6000   Finish { contact: "k1", cause: Transferred }
            6000   StopMedia { call: CallId(1) }
            6000   Play { call: CallId(1), prompt: "moh" }
            6000   DialOut { call: CallId(1), number: "8004" }
            7000   StopMedia { call: CallId(1) }
            7000   Bridge { call: CallId(1) }
            9000   Hangup { call: CallId(1), side: Agent, cause: NormalClearing }
            9000   Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
}

#[test]
fn a_supervisor_takes_over_and_the_agent_wraps_up() {
    check(
        &after_bridge(&[
            (8_000, Input::TakeOver { call: C, by: "8006".into() }),
            // The supervisor hangs up: the caller's call ends too.
            (20_000, Input::AgentGone { call: C }),
        ]),
        expect![[r#"
            0      Answer { call: CallId(1) }
            0      Play { call: CallId(1), prompt: "greeting" }
            1000   StopMedia { call: CallId(1) }
            1000   Submit { call: CallId(1), contact: "k1", queue: "sales", priority: 0, vars: {"caller": "13800138000", "dialled": "1000"} }
            1000   Play { call: CallId(1), prompt: "moh" }
            1500   Dial { call: CallId(1), extension: "8002" }
            2000   AcceptOffer { call: CallId(1), offer: "1" }
            2001   StopMedia { call: CallId(1) }
            2001   Bridge { call: CallId(1) }
            8000   Finish { contact: "k1", cause: TakenOver }
            20000  Hangup { call: CallId(1), side: Caller, cause: NormalClearing }
            20000  Ended { call: CallId(1), cause: NormalClearing }
        "#]],
    );
}

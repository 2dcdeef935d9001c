//! Scenario tests: small timed scripts and the outputs they produce.
//! Each script also runs on the reference router, which must agree.

mod common;

use common::*;
use expect_test::expect;
use hotline_routing::*;

const TICK: Input = Input::Tick;

#[test]
fn longest_idle() {
    check(
        &[
            (0, upsert(queue(1))),
            (0, login(1, &[1])),
            (100, login(2, &[1])),
            (200, login(3, &[1])),
            (1000, arrive(call(1, 1))),
            (2000, accept(1)),
            (3000, finish(1)),
            (4000, arrive(call(2, 1))),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            100    Agent a2 Available Idle
            200    Agent a3 Available Idle
            1000   Queued c1 q1
            1000   Offer o1 c1 -> a1 q1 expires=11000
            1000   Agent a1 Available Reserved
            2000   OfferEnded o1 c1 a1 Accepted
            2000   Assigned c1 -> a1 q1 waited=1000
            2000   Agent a1 Available Busy
            3000   Finished c1 a1
            3000   Agent a1 Available Idle
            4000   Queued c2 q1
            4000   Offer o2 c2 -> a2 q1 expires=14000
            4000   Agent a2 Available Reserved
        "#]],
    );
}

#[test]
fn least_occupied_and_daily_reset() {
    let q = QueueConfig { strategy: Strategy::LeastOccupied, ..queue(1) };
    check(
        &[
            (0, upsert(q)),
            (0, login(1, &[1])),
            (0, login(2, &[1])),
            (10, arrive(call(1, 1))),
            (20, accept(1)),
            (30, finish(1)),
            // a1 handled 1, a2 handled 0: a2 although a1 became ready later.
            (40, arrive(call(2, 1))),
            (50, accept(2)),
            (60, finish(2)),
            // Both handled 1: longest idle (a1 since 30) wins.
            (70, arrive(call(3, 1))),
            (80, accept(3)),
            (90, finish(3)),
            // a1 handled 2, a2 1 -> a2; after the reset both 0 -> longest idle a2 (60) vs a1 (90).
            (100, Input::ResetDailyCounters),
            (110, arrive(call(4, 1))),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Agent a2 Available Idle
            10     Queued c1 q1
            10     Offer o1 c1 -> a1 q1 expires=10010
            10     Agent a1 Available Reserved
            20     OfferEnded o1 c1 a1 Accepted
            20     Assigned c1 -> a1 q1 waited=10
            20     Agent a1 Available Busy
            30     Finished c1 a1
            30     Agent a1 Available Idle
            40     Queued c2 q1
            40     Offer o2 c2 -> a2 q1 expires=10040
            40     Agent a2 Available Reserved
            50     OfferEnded o2 c2 a2 Accepted
            50     Assigned c2 -> a2 q1 waited=10
            50     Agent a2 Available Busy
            60     Finished c2 a2
            60     Agent a2 Available Idle
            70     Queued c3 q1
            70     Offer o3 c3 -> a1 q1 expires=10070
            70     Agent a1 Available Reserved
            80     OfferEnded o3 c3 a1 Accepted
            80     Assigned c3 -> a1 q1 waited=10
            80     Agent a1 Available Busy
            90     Finished c3 a1
            90     Agent a1 Available Idle
            110    Queued c4 q1
            110    Offer o4 c4 -> a2 q1 expires=10110
            110    Agent a2 Available Reserved
        "#]],
    );
}

#[test]
fn least_occupied_reset_makes_longest_idle_decide() {
    let q = QueueConfig { strategy: Strategy::LeastOccupied, ..queue(1) };
    let (mut e, _) = run(&[
        (0, upsert(q)),
        (0, login(1, &[1])),
        (5, login(2, &[1])),
        (10, arrive(call(1, 1))),
        (20, accept(1)),
        (30, finish(1)),
    ]);
    // a1 handled 1 (ready since 30), a2 handled 0 (ready since 5).
    assert_eq!(e.agent(AgentId(1)).map(|v| v.handled_today), Some(1));
    e.handle(Time(40), Input::ResetDailyCounters);
    assert_eq!(e.agent(AgentId(1)).map(|v| v.handled_today), Some(0));
    e.handle(Time(50), arrive(call(2, 1)));
    let offers: Vec<String> = std::iter::from_fn(|| e.poll_output()).map(|o| fmt(&o)).collect();
    // Counters equal after the reset: a2 is the longest idle.
    assert!(offers.iter().any(|l| l.starts_with("Offer o2 c2 -> a2")), "{offers:?}");
}

#[test]
fn round_robin() {
    let q = QueueConfig { strategy: Strategy::RoundRobin, ..queue(1) };
    let mut script = vec![(0, upsert(q)), (0, login(1, &[1])), (0, login(2, &[1])), (0, login(3, &[1]))];
    for i in 1..=4u64 {
        let t = i * 100;
        script.push((t, arrive(call(i, 1))));
        script.push((t + 10, accept(i)));
        script.push((t + 20, finish(i)));
    }
    let (_, text) = run(&script);
    let offers: Vec<&str> = text.lines().filter(|l| l.contains(" Offer ")).collect();
    expect![[r#"
        [
            "100    Offer o1 c1 -> a1 q1 expires=10100",
            "200    Offer o2 c2 -> a2 q1 expires=10200",
            "300    Offer o3 c3 -> a3 q1 expires=10300",
            "400    Offer o4 c4 -> a1 q1 expires=10400",
        ]
    "#]]
    .assert_debug_eq(&offers);
}

#[test]
fn best_skill() {
    let q = QueueConfig { strategy: Strategy::BestSkill, ..queue(1) };
    check(
        &[
            (0, upsert(q)),
            (0, login_with(1, &[1], &[(7, 3)], voice_only())),
            (0, login_with(2, &[1], &[(7, 9)], voice_only())),
            (0, login_with(3, &[1], &[(7, 6), (8, 5)], voice_only())),
            (0, login_with(4, &[1], &[(8, 10)], voice_only())),
            // Needs skill 7 >= 2: a2 (9) over a3 (6) and a1 (3); a4 lacks it.
            (10, arrive(ContactSpec { required: vec![needs(7, 2)], ..call(1, 1) })),
            // Needs 7 and 8: only a3 qualifies.
            (20, arrive(ContactSpec { required: vec![needs(7, 1), needs(8, 1)], ..call(2, 1) })),
            // Needs 7 >= 2: a1 is the only one left.
            (30, arrive(ContactSpec { required: vec![needs(7, 2)], ..call(3, 1) })),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Agent a2 Available Idle
            0      Agent a3 Available Idle
            0      Agent a4 Available Idle
            10     Queued c1 q1
            10     Offer o1 c1 -> a2 q1 expires=10010
            10     Agent a2 Available Reserved
            20     Queued c2 q1
            20     Offer o2 c2 -> a3 q1 expires=10020
            20     Agent a3 Available Reserved
            30     Queued c3 q1
            30     Offer o3 c3 -> a1 q1 expires=10030
            30     Agent a1 Available Reserved
        "#]],
    );
}

#[test]
fn steps_widen_without_losing_place() {
    let q = QueueConfig {
        steps: vec![
            RoutingStep { timeout_ms: Some(10_000), ..RoutingStep::any() },
            RoutingStep { relax_contact_levels: 4, timeout_ms: Some(10_000), ..RoutingStep::any() },
            RoutingStep { drop_contact_skills: true, ..RoutingStep::any() },
        ],
        ..queue(1)
    };
    check(
        &[
            (0, upsert(q)),
            (0, login_with(1, &[1], &[(5, 4)], voice_only())),
            (0, login_with(2, &[1], &[], voice_only())),
            // Needs skill 5 at 8: nobody at step 0.
            (0, arrive(ContactSpec { required: vec![needs(5, 8)], ..call(1, 1) })),
            // Relaxed to 4 at 10 s: a1.
            (10_000, TICK),
            (11_000, reject(1)),
            (11_000, status(1, not_ready("break"))),
            // Step 2 at 20 s drops the skill: a2.
            (20_000, TICK),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Agent a2 Available Idle
            0      Queued c1 q1
            10000  StepChanged c1 q1 step=1
            10000  Offer o1 c1 -> a1 q1 expires=20000
            10000  Agent a1 Available Reserved
            11000  OfferEnded o1 c1 a1 Rejected
            11000  Agent a1 Available Idle
            11000  Offer o2 c1 -> a1 q1 expires=21000
            11000  Agent a1 Available Reserved
            11000  Agent a1 NotReady(break) Reserved
            20000  StepChanged c1 q1 step=2
        "#]],
    );
}

#[test]
fn step_expression_and_drop() {
    // Step 0 adds a Spanish requirement (skill 100); step 1 drops everything.
    let q = QueueConfig {
        steps: vec![
            RoutingStep {
                expr: SkillExpr::Skill(needs(100, 5)),
                timeout_ms: Some(30_000),
                ..RoutingStep::any()
            },
            RoutingStep { drop_contact_skills: true, ..RoutingStep::any() },
        ],
        ..queue(1)
    };
    check(
        &[
            (0, upsert(q)),
            (0, login_with(1, &[1], &[(1, 9)], voice_only())),
            (1_000, arrive(ContactSpec { required: vec![needs(1, 5)], ..call(1, 1) })),
            (31_000, TICK),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            1000   Queued c1 q1
            31000  StepChanged c1 q1 step=1
            31000  Offer o1 c1 -> a1 q1 expires=41000
            31000  Agent a1 Available Reserved
        "#]],
    );
}

#[test]
fn aging_and_vip() {
    let q = QueueConfig { aging_per_sec: 1, vip_boost: 20, ..queue(1) };
    check(
        &[
            (0, upsert(q)),
            (0, arrive(ContactSpec { priority: 0, ..call(1, 1) })),
            (2_000, arrive(ContactSpec { priority: 5, ..call(2, 1) })),
            (8_000, arrive(ContactSpec { priority: 5, ..call(3, 1) })),
            (9_000, arrive(ContactSpec { tier: 1, ..call(4, 1) })),
            // At 10 s: c1 = 10, c2 = 5 + 8 = 13, c3 = 5 + 2 = 7, c4 = 20 + 1 = 21.
            (10_000, login(1, &[1])),
            (10_000, login(2, &[1])),
            (10_000, login(3, &[1])),
            (10_000, login(4, &[1])),
        ],
        expect![[r#"
            0      Queued c1 q1
            2000   Queued c2 q1
            8000   Queued c3 q1
            9000   Queued c4 q1
            10000  Agent a1 Available Idle
            10000  Offer o1 c4 -> a1 q1 expires=20000
            10000  Agent a1 Available Reserved
            10000  Agent a2 Available Idle
            10000  Offer o2 c2 -> a2 q1 expires=20000
            10000  Agent a2 Available Reserved
            10000  Agent a3 Available Idle
            10000  Offer o3 c1 -> a3 q1 expires=20000
            10000  Agent a3 Available Reserved
            10000  Agent a4 Available Idle
            10000  Offer o4 c3 -> a4 q1 expires=20000
            10000  Agent a4 Available Reserved
        "#]],
    );
}

#[test]
fn sticky_agent_first_refusal() {
    let q = QueueConfig { sticky_ms: 30_000, ..queue(1) };
    check(
        &[
            (0, upsert(q)),
            (0, login(1, &[1])),
            (0, login(2, &[1])),
            (0, arrive(call(1, 1))),
            (100, accept(1)),
            // a1 is busy; c2 and c3 know a1 as their last agent, a2 is idle.
            (1_000, arrive(ContactSpec { last_agent: Some(AgentId(1)), ..call(2, 1) })),
            (2_000, arrive(ContactSpec { last_agent: Some(AgentId(1)), ..call(3, 1) })),
            // a1 finishes: gets c2 (sticky), a2 still waits.
            (10_000, finish(1)),
            (10_500, accept(2)),
            // c3's window ends at 32 s: a2 takes it.
            (32_000, TICK),
            // Sticky to an agent that is not logged in: no window.
            (33_000, arrive(ContactSpec { last_agent: Some(AgentId(9)), ..call(4, 1) })),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Agent a2 Available Idle
            0      Queued c1 q1
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            100    OfferEnded o1 c1 a1 Accepted
            100    Assigned c1 -> a1 q1 waited=100
            100    Agent a1 Available Busy
            1000   Queued c2 q1
            2000   Queued c3 q1
            10000  Finished c1 a1
            10000  Agent a1 Available Idle
            10000  Offer o2 c2 -> a1 q1 expires=20000
            10000  Agent a1 Available Reserved
            10500  OfferEnded o2 c2 a1 Accepted
            10500  Assigned c2 -> a1 q1 waited=9500
            10500  Agent a1 Available Busy
            32000  Offer o3 c3 -> a2 q1 expires=42000
            32000  Agent a2 Available Reserved
            33000  Queued c4 q1
        "#]],
    );
}

#[test]
fn overflow_after_time() {
    let q1 = QueueConfig {
        overflow: Some(Overflow { target: QueueId(2), after_ms: Some(20_000), when_no_agents: false }),
        ..queue(1)
    };
    check(
        &[
            (0, upsert(q1)),
            (0, upsert(queue(2))),
            (0, login(1, &[1])),
            (0, status(1, not_ready("lunch"))),
            (0, login(2, &[2])),
            (0, arrive(call(9, 2))),
            (1_000, arrive(call(1, 1))),
            // c1 moves to q2 at 21 s; a2 is busy with c9 until 25 s.
            (5_000, accept(1)),
            (21_000, TICK),
            (25_000, finish(9)),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Agent a1 NotReady(lunch) Idle
            0      Agent a2 Available Idle
            0      Queued c9 q2
            0      Offer o1 c9 -> a2 q2 expires=10000
            0      Agent a2 Available Reserved
            1000   Queued c1 q1
            5000   OfferEnded o1 c9 a2 Accepted
            5000   Assigned c9 -> a2 q2 waited=5000
            5000   Agent a2 Available Busy
            21000  Overflowed c1 q1 -> q2
            25000  Finished c9 a2
            25000  Agent a2 Available Idle
            25000  Offer o2 c1 -> a2 q2 expires=35000
            25000  Agent a2 Available Reserved
        "#]],
    );
}

#[test]
fn overflow_when_no_agents() {
    let q1 = QueueConfig {
        overflow: Some(Overflow { target: QueueId(2), after_ms: None, when_no_agents: true }),
        ..queue(1)
    };
    let q2 = QueueConfig {
        overflow: Some(Overflow { target: QueueId(1), after_ms: None, when_no_agents: true }),
        ..queue(2)
    };
    check(
        &[
            (0, upsert(q1)),
            (0, upsert(q2)),
            // Nobody anywhere: q1 -> q2, and not back again.
            (0, arrive(call(1, 1))),
            (1_000, login(1, &[1])),
            (1_000, status(1, not_ready("meeting"))),
            // q1 has a member (not ready): c2 stays.
            (2_000, arrive(call(2, 1))),
            // The last member logs out: c2 overflows to q2.
            (3_000, Input::AgentLogout(AgentId(1))),
            (4_000, login(2, &[2])),
        ],
        expect![[r#"
            0      Queued c1 q1
            0      Overflowed c1 q1 -> q2
            1000   Agent a1 Available Idle
            1000   Agent a1 NotReady(meeting) Idle
            2000   Queued c2 q1
            3000   Agent a1 LoggedOut Idle
            3000   Overflowed c2 q1 -> q2
            4000   Agent a2 Available Idle
            4000   Offer o1 c1 -> a2 q2 expires=14000
            4000   Agent a2 Available Reserved
        "#]],
    );
}

#[test]
fn give_up_after_max_wait() {
    let q = QueueConfig { max_wait_ms: Some(30_000), give_up: GiveUpAction::Voicemail, ..queue(1) };
    check(
        &[
            (0, upsert(q)),
            (0, arrive(call(1, 1))),
            (25_000, login(1, &[1])),
            // c1 rings a1 when its wait runs out: the offer is rescinded.
            (30_000, TICK),
            (31_000, arrive(call(2, 1))),
            (32_000, accept(1)),
        ],
        expect![[r#"
            0      Queued c1 q1
            25000  Agent a1 Available Idle
            25000  Offer o1 c1 -> a1 q1 expires=35000
            25000  Agent a1 Available Reserved
            30000  OfferEnded o1 c1 a1 Rescinded
            30000  Agent a1 Available Idle
            30000  GaveUp c1 q1 Voicemail waited=30000
            31000  Queued c2 q1
            31000  Offer o2 c2 -> a1 q1 expires=41000
            31000  Agent a1 Available Reserved
            32000  Rejected OfferAccepted StaleOffer
        "#]],
    );
}

#[test]
fn capacity_and_blending() {
    let cap = Capacity { voice: 1, chat: 2, email: 1 };
    let chat = |c| ContactSpec { channel: Channel::Chat, ..call(c, 1) };
    let email = |c| ContactSpec { channel: Channel::Email, ..call(c, 1) };
    check(
        &[
            (0, upsert(queue(1))),
            (0, login_with(1, &[1], &[], cap)),
            (0, arrive(chat(1))),
            (10, accept(1)),
            (20, arrive(chat(2))),
            (30, accept(2)),
            // Two chats: a third waits; an email may run beside them; voice waits.
            (40, arrive(chat(3))),
            (50, arrive(call(4, 1))),
            (60, arrive(email(5))),
            (70, accept(3)),
            (80, finish(1)),
            (90, accept(4)),
            (100, finish(2)),
            (110, finish(3)),
            (120, finish(5)),
            (130, accept(5)),
            // Voice in progress: nothing else, not even a chat.
            (140, arrive(chat(6))),
            (150, finish(4)),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Queued c1 q1
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            10     OfferEnded o1 c1 a1 Accepted
            10     Assigned c1 -> a1 q1 waited=10
            10     Agent a1 Available Busy
            20     Queued c2 q1
            20     Offer o2 c2 -> a1 q1 expires=10020
            20     Agent a1 Available Reserved
            30     OfferEnded o2 c2 a1 Accepted
            30     Assigned c2 -> a1 q1 waited=10
            30     Agent a1 Available Busy
            40     Queued c3 q1
            50     Queued c4 q1
            60     Queued c5 q1
            60     Offer o3 c5 -> a1 q1 expires=10060
            60     Agent a1 Available Reserved
            70     OfferEnded o3 c5 a1 Accepted
            70     Assigned c5 -> a1 q1 waited=10
            70     Agent a1 Available Busy
            80     Finished c1 a1
            80     Offer o4 c3 -> a1 q1 expires=10080
            80     Agent a1 Available Reserved
            90     OfferEnded o4 c3 a1 Accepted
            90     Assigned c3 -> a1 q1 waited=50
            90     Agent a1 Available Busy
            100    Finished c2 a1
            110    Finished c3 a1
            120    Finished c5 a1
            120    Agent a1 Available Idle
            120    Offer o5 c4 -> a1 q1 expires=10120
            120    Agent a1 Available Reserved
            130    OfferEnded o5 c4 a1 Accepted
            130    Assigned c4 -> a1 q1 waited=80
            130    Agent a1 Available Busy
            140    Queued c6 q1
            150    Finished c4 a1
            150    Agent a1 Available Idle
            150    Offer o6 c6 -> a1 q1 expires=10150
            150    Agent a1 Available Reserved
        "#]],
    );
}

#[test]
fn zero_capacity_channel_is_not_offered() {
    let cap = Capacity { voice: 0, chat: 3, email: 0 };
    check(
        &[
            (0, upsert(queue(1))),
            (0, login_with(1, &[1], &[], cap)),
            (0, arrive(call(1, 1))),
            (0, arrive(ContactSpec { channel: Channel::Email, ..call(2, 1) })),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Queued c1 q1
            0      Queued c2 q1
        "#]],
    );
}

#[test]
fn missed_offers_make_agent_not_ready() {
    let q = QueueConfig { max_missed_offers: 2, ..queue(1) };
    check(
        &[
            (0, upsert(q)),
            (0, login(1, &[1])),
            (0, arrive(call(1, 1))),
            (10_000, TICK),
            (12_000, reject(2)),
            (13_000, login(2, &[1])),
            (14_000, status(1, Status::Available)),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Queued c1 q1
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            10000  OfferEnded o1 c1 a1 TimedOut
            10000  Agent a1 Available Idle
            10000  Offer o2 c1 -> a1 q1 expires=20000
            10000  Agent a1 Available Reserved
            12000  OfferEnded o2 c1 a1 Rejected
            12000  Agent a1 NotReady(missed) Idle
            13000  Agent a2 Available Idle
            13000  Offer o3 c1 -> a2 q1 expires=23000
            13000  Agent a2 Available Reserved
            14000  Agent a1 Available Idle
        "#]],
    );
}

#[test]
fn accepted_offer_resets_missed_count() {
    let q = QueueConfig { max_missed_offers: 2, ..queue(1) };
    let (e, _) = run(&[(0, upsert(q)), (0, login(1, &[1])), (0, arrive(call(1, 1))), (1, reject(1))]);
    assert_eq!(e.agent(AgentId(1)).map(|v| v.missed_in_a_row), Some(1));
    let (e, _) = run(&[
        (0, upsert(QueueConfig { max_missed_offers: 2, ..queue(1) })),
        (0, login(1, &[1])),
        (0, arrive(call(1, 1))),
        (1, reject(1)),
        (2, accept(2)),
    ]);
    let v = e.agent(AgentId(1)).expect("logged in");
    assert_eq!((v.missed_in_a_row, v.status, v.state), (0, Status::Available, AgentState::Busy));
}

#[test]
fn wrap_up_auto_ready_and_early_end() {
    let q = QueueConfig { wrap_up_ms: 5_000, ..queue(1) };
    check(
        &[
            (0, upsert(q)),
            (0, login(1, &[1])),
            (0, arrive(call(1, 1))),
            (1_000, accept(1)),
            (2_000, finish(1)),
            (3_000, arrive(call(2, 1))),
            // Auto-ready at 7 s: c2 is offered.
            (7_000, TICK),
            (8_000, accept(2)),
            (9_000, finish(2)),
            (10_000, Input::EndWrapUp(AgentId(1))),
            (10_000, Input::EndWrapUp(AgentId(1))),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Queued c1 q1
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            1000   OfferEnded o1 c1 a1 Accepted
            1000   Assigned c1 -> a1 q1 waited=1000
            1000   Agent a1 Available Busy
            2000   Finished c1 a1
            2000   Agent a1 Available WrapUp
            3000   Queued c2 q1
            7000   Agent a1 Available Idle
            7000   Offer o2 c2 -> a1 q1 expires=17000
            7000   Agent a1 Available Reserved
            8000   OfferEnded o2 c2 a1 Accepted
            8000   Assigned c2 -> a1 q1 waited=5000
            8000   Agent a1 Available Busy
            9000   Finished c2 a1
            9000   Agent a1 Available WrapUp
            10000  Agent a1 Available Idle
            10000  Rejected EndWrapUp NotInWrapUp
        "#]],
    );
}

#[test]
fn not_ready_while_busy_takes_effect_after() {
    check(
        &[
            (0, upsert(queue(1))),
            (0, login(1, &[1])),
            (0, arrive(call(1, 1))),
            (1_000, accept(1)),
            (2_000, status(1, not_ready("break"))),
            (3_000, arrive(call(2, 1))),
            (4_000, finish(1)),
            (5_000, status(1, Status::Available)),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Queued c1 q1
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            1000   OfferEnded o1 c1 a1 Accepted
            1000   Assigned c1 -> a1 q1 waited=1000
            1000   Agent a1 Available Busy
            2000   Agent a1 NotReady(break) Busy
            3000   Queued c2 q1
            4000   Finished c1 a1
            4000   Agent a1 NotReady(break) Idle
            5000   Agent a1 Available Idle
            5000   Offer o2 c2 -> a1 q1 expires=15000
            5000   Agent a1 Available Reserved
        "#]],
    );
}

#[test]
fn abandon_while_ringing_rescinds_and_frees_agent() {
    check(
        &[
            (0, upsert(queue(1))),
            (0, login(1, &[1])),
            (0, arrive(call(1, 1))),
            (1_000, arrive(call(2, 1))),
            (2_000, Input::ContactAbandoned(ContactId(1))),
            (3_000, accept(1)),
            (4_000, Input::ContactAbandoned(ContactId(1))),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Queued c1 q1
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            1000   Queued c2 q1
            2000   OfferEnded o1 c1 a1 Rescinded
            2000   Agent a1 Available Idle
            2000   Abandoned c1 q1 waited=2000
            2000   Offer o2 c2 -> a1 q1 expires=12000
            2000   Agent a1 Available Reserved
            3000   Rejected OfferAccepted StaleOffer
            4000   Rejected ContactAbandoned UnknownContact
        "#]],
    );
}

#[test]
fn stale_and_duplicate_accepts_are_rejected() {
    check(
        &[
            (0, upsert(queue(1))),
            (0, login(1, &[1])),
            (0, login(2, &[1])),
            (0, arrive(call(1, 1))),
            (10_000, TICK),
            (11_000, accept(1)),
            (12_000, accept(2)),
            (13_000, accept(2)),
            (14_000, reject(2)),
            (15_000, accept(99)),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Agent a2 Available Idle
            0      Queued c1 q1
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            10000  OfferEnded o1 c1 a1 TimedOut
            10000  Agent a1 Available Idle
            10000  Offer o2 c1 -> a2 q1 expires=20000
            10000  Agent a2 Available Reserved
            11000  Rejected OfferAccepted StaleOffer
            12000  OfferEnded o2 c1 a2 Accepted
            12000  Assigned c1 -> a2 q1 waited=12000
            12000  Agent a2 Available Busy
            13000  Rejected OfferAccepted StaleOffer
            14000  Rejected OfferRejected StaleOffer
            15000  Rejected OfferAccepted UnknownOffer
        "#]],
    );
}

#[test]
fn logout_while_ringing_rescinds() {
    check(
        &[
            (0, upsert(queue(1))),
            (0, login(1, &[1])),
            (0, login(2, &[1])),
            (0, status(2, not_ready("x"))),
            (0, arrive(call(1, 1))),
            (1_000, Input::AgentLogout(AgentId(1))),
            (2_000, status(2, Status::Available)),
            (3_000, accept(2)),
            (4_000, Input::SetStatus { agent: AgentId(2), status: Status::LoggedOut }),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Agent a2 Available Idle
            0      Agent a2 NotReady(x) Idle
            0      Queued c1 q1
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            1000   OfferEnded o1 c1 a1 Rescinded
            1000   Agent a1 LoggedOut Idle
            2000   Agent a2 Available Idle
            2000   Offer o2 c1 -> a2 q1 expires=12000
            2000   Agent a2 Available Reserved
            3000   OfferEnded o2 c1 a2 Accepted
            3000   Assigned c1 -> a2 q1 waited=3000
            3000   Agent a2 Available Busy
            4000   Finished c1 a2
            4000   Agent a2 LoggedOut Idle
        "#]],
    );
}

#[test]
fn invalid_inputs_are_rejected() {
    let deep = (0..40).fold(SkillExpr::Any, |e, _| SkillExpr::All(vec![e]));
    check(
        &[
            (0, arrive(call(1, 1))),
            (0, upsert(queue(1))),
            (0, arrive(call(1, 1))),
            (0, arrive(call(1, 1))),
            (0, finish(1)),
            (0, finish(2)),
            (0, Input::AgentLogout(AgentId(1))),
            (0, status(1, Status::Available)),
            (0, Input::AgentUpdate { agent: AgentId(1), profile: profile(&[1], &[], voice_only()) }),
            (0, Input::EndWrapUp(AgentId(1))),
            (0, login(1, &[1])),
            (0, login(1, &[1])),
            (0, Input::EndWrapUp(AgentId(1))),
            (0, Input::AgentLogin { agent: AgentId(2), profile: profile(&[1], &[], voice_only()), status: Status::LoggedOut }),
            (0, Input::ContactAbandoned(ContactId(7))),
            (0, upsert(QueueConfig { steps: vec![RoutingStep { expr: deep, ..RoutingStep::any() }], ..queue(2) })),
            (0, Input::OfferRejected(OfferId(5))),
        ],
        expect![[r#"
            0      Rejected ContactArrived UnknownQueue
            0      Queued c1 q1
            0      Rejected ContactArrived DuplicateContact
            0      Rejected ContactFinished ContactNotAssigned
            0      Rejected ContactFinished UnknownContact
            0      Rejected AgentLogout UnknownAgent
            0      Rejected SetStatus UnknownAgent
            0      Rejected AgentUpdate UnknownAgent
            0      Rejected EndWrapUp UnknownAgent
            0      Agent a1 Available Idle
            0      Offer o1 c1 -> a1 q1 expires=10000
            0      Agent a1 Available Reserved
            0      Rejected AgentLogin AlreadyLoggedIn
            0      Rejected EndWrapUp NotInWrapUp
            0      Rejected AgentLogin InvalidStatus
            0      Rejected ContactAbandoned UnknownContact
            0      Rejected UpsertQueue InvalidConfig
            0      Rejected OfferRejected UnknownOffer
        "#]],
    );
}

#[test]
fn reconfiguring_a_queue_keeps_places() {
    let q = QueueConfig { steps: vec![RoutingStep { expr: SkillExpr::Skill(needs(3, 5)), ..RoutingStep::any() }], ..queue(1) };
    check(
        &[
            (0, upsert(q)),
            (0, login(1, &[1])),
            (0, arrive(call(1, 1))),
            (1_000, arrive(call(2, 1))),
            // Drop the skill requirement: c1 (first in line) is offered.
            (2_000, upsert(queue(1))),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Queued c1 q1
            1000   Queued c2 q1
            2000   Offer o1 c1 -> a1 q1 expires=12000
            2000   Agent a1 Available Reserved
        "#]],
    );
}

#[test]
fn agent_update_changes_skills_and_queues() {
    check(
        &[
            (0, upsert(queue(1))),
            (0, upsert(queue(2))),
            (0, login_with(1, &[1], &[], voice_only())),
            (0, arrive(ContactSpec { required: vec![needs(4, 3)], ..call(1, 1) })),
            (0, arrive(call(2, 2))),
            (1_000, Input::AgentUpdate { agent: AgentId(1), profile: profile(&[1], &[(4, 3)], voice_only()) }),
            (2_000, reject(1)),
            (2_000, Input::AgentUpdate { agent: AgentId(1), profile: profile(&[2], &[(4, 3)], voice_only()) }),
        ],
        expect![[r#"
            0      Agent a1 Available Idle
            0      Queued c1 q1
            0      Queued c2 q2
            1000   Offer o1 c1 -> a1 q1 expires=11000
            1000   Agent a1 Available Reserved
            2000   OfferEnded o1 c1 a1 Rejected
            2000   Agent a1 Available Idle
            2000   Offer o2 c1 -> a1 q1 expires=12000
            2000   Agent a1 Available Reserved
        "#]],
    );
}

#[test]
fn service_level_statistics() {
    let q = QueueConfig { service_level_ms: 10_000, service_level_window_ms: 60_000, ..queue(1) };
    let (mut e, _) = run(&[
        (0, upsert(q)),
        (0, login(1, &[1])),
        (0, arrive(call(1, 1))),
        (0, arrive(call(2, 1))),
        (0, arrive(call(3, 1))),
        (0, arrive(call(4, 1))),
        (0, arrive(call(5, 1))),
        (5_000, accept(1)), // answered after 5 s: in SL
        (6_000, finish(1)),
        (8_000, Input::ContactAbandoned(ContactId(5))), // abandoned within 10 s: excluded
        (9_000, accept(2)), // c2 answered after 9 s: in SL
        (10_000, finish(2)),
        (15_000, accept(3)), // c3 after 15 s: late
        (20_000, Input::ContactAbandoned(ContactId(4))), // abandoned after 20 s: counts against
    ]);
    // 2 good / (3 answered + 1 late abandon) = 50 %.
    let s = e.queue_stats(QueueId(1), Time(20_000)).expect("queue");
    expect![[r#"
        QueueStats {
            waiting: 0,
            longest_wait_ms: 0,
            agents_logged_in: 1,
            agents_available: 1,
            agents_idle: 0,
            agents_reserved: 0,
            agents_busy: 1,
            agents_wrap_up: 0,
            agents_not_ready: 0,
            offered: 5,
            answered: 3,
            abandoned: 2,
            service_level: Some(
                50.0,
            ),
            answered_in_window: 3,
            abandoned_in_window: 2,
        }
    "#]].assert_debug_eq(&s);
    e.handle(Time(80_000), Input::Tick);
    let s = e.queue_stats(QueueId(1), Time(80_000)).expect("queue");
    assert_eq!((s.answered_in_window, s.abandoned_in_window, s.service_level), (0, 0, None));
    assert_eq!((s.offered, s.answered, s.abandoned), (5, 3, 2));
    assert_eq!(e.queue_stats(QueueId(9), Time(0)), None);
}

#[test]
fn place_in_queue_and_estimated_wait() {
    let (mut e, _) = run(&[
        (0, upsert(queue(1))),
        (0, login(1, &[1])),
        (0, login(2, &[1])),
        // Two calls handled for 60 s and 120 s: AHT 90 s.
        (0, arrive(call(1, 1))),
        (0, arrive(call(2, 1))),
        (1_000, accept(1)),
        (1_000, accept(2)),
        (61_000, finish(1)),
        (121_000, finish(2)),
        // Both agents busy again, then three callers wait.
        (130_000, arrive(call(3, 1))),
        (130_000, arrive(call(4, 1))),
        (131_000, accept(3)),
        (131_000, accept(4)),
        (132_000, arrive(call(5, 1))),
        (133_000, arrive({ let mut c = call(6, 1); c.priority = 5; c })),
        (134_000, arrive(call(7, 1))),
    ]);
    let p = |e: &mut Engine, c: u64| e.place(ContactId(c)).map(|p| (p.position, p.of, p.ewt_ms, p.aht_ms, p.staffed));
    // The priority-5 caller is first; 2 agents, AHT 90 s: 1 × 90 / 2 = 45 s.
    assert_eq!(p(&mut e, 6), Some((1, 3, Some(45_000), Some(90_000), 2)));
    assert_eq!(p(&mut e, 5), Some((2, 3, Some(90_000), Some(90_000), 2)));
    assert_eq!(p(&mut e, 7), Some((3, 3, Some(135_000), Some(90_000), 2)));
    // Answered contacts have no place; unknown ones neither.
    assert_eq!(p(&mut e, 3), None);
    assert_eq!(p(&mut e, 99), None);
    // Nobody staffing: no estimate.
    e.handle(Time(135_000), status(1, not_ready("break")));
    e.handle(Time(135_000), status(2, not_ready("break")));
    assert_eq!(p(&mut e, 6), Some((1, 3, None, Some(90_000), 0)));
}

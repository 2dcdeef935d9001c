//! Helpers shared by the integration tests: script building, output
//! formatting, and running a script on the engine and the reference router.
#![allow(dead_code)]

use hotline_routing::*;

pub type Script = Vec<(u64, Input)>;

pub fn queue(id: u32) -> QueueConfig {
    QueueConfig { offer_timeout_ms: 10_000, ..QueueConfig::simple(QueueId(id)) }
}

pub fn upsert(cfg: QueueConfig) -> Input {
    Input::UpsertQueue(cfg)
}

pub fn voice_only() -> Capacity {
    Capacity { voice: 1, chat: 0, email: 0 }
}

pub fn profile(queues: &[u32], skills: &[(u32, u8)], capacity: Capacity) -> AgentProfile {
    AgentProfile {
        skills: skills.iter().map(|&(s, l)| (SkillId(s), l)).collect(),
        queues: queues.iter().map(|&q| QueueId(q)).collect(),
        capacity,
    }
}

pub fn login(a: u32, queues: &[u32]) -> Input {
    login_with(a, queues, &[], voice_only())
}

pub fn login_with(a: u32, queues: &[u32], skills: &[(u32, u8)], capacity: Capacity) -> Input {
    Input::AgentLogin { agent: AgentId(a), profile: profile(queues, skills, capacity), status: Status::Available }
}

pub fn call(c: u64, q: u32) -> ContactSpec {
    ContactSpec {
        id: ContactId(c),
        queue: QueueId(q),
        channel: Channel::Voice,
        required: vec![],
        priority: 0,
        tier: 0,
        last_agent: None,
    }
}

pub fn arrive(spec: ContactSpec) -> Input {
    Input::ContactArrived(spec)
}

pub fn needs(skill: u32, min_level: u8) -> SkillReq {
    SkillReq { skill: SkillId(skill), min_level }
}

pub fn accept(o: u64) -> Input {
    Input::OfferAccepted(OfferId(o))
}

pub fn reject(o: u64) -> Input {
    Input::OfferRejected(OfferId(o))
}

pub fn finish(c: u64) -> Input {
    Input::ContactFinished(ContactId(c))
}

pub fn status(a: u32, s: Status) -> Input {
    Input::SetStatus { agent: AgentId(a), status: s }
}

pub fn not_ready(reason: &str) -> Status {
    Status::NotReady { reason: reason.to_owned() }
}

pub fn fmt_status(s: &Status) -> String {
    match s {
        Status::Available => "Available".into(),
        Status::NotReady { reason } => format!("NotReady({reason})"),
        Status::LoggedOut => "LoggedOut".into(),
    }
}

pub fn fmt(o: &Output) -> String {
    match o {
        Output::Queued { contact, queue } => format!("Queued c{} q{}", contact.0, queue.0),
        Output::Offer { offer, contact, agent, queue, expires_at } => {
            format!("Offer o{} c{} -> a{} q{} expires={}", offer.0, contact.0, agent.0, queue.0, expires_at.0)
        }
        Output::OfferEnded { offer, contact, agent, end } => {
            format!("OfferEnded o{} c{} a{} {end:?}", offer.0, contact.0, agent.0)
        }
        Output::Assigned { contact, agent, queue, waited_ms } => {
            format!("Assigned c{} -> a{} q{} waited={waited_ms}", contact.0, agent.0, queue.0)
        }
        Output::StepChanged { contact, queue, step } => format!("StepChanged c{} q{} step={step}", contact.0, queue.0),
        Output::Overflowed { contact, from, to } => format!("Overflowed c{} q{} -> q{}", contact.0, from.0, to.0),
        Output::GaveUp { contact, queue, action, waited_ms } => {
            format!("GaveUp c{} q{} {action:?} waited={waited_ms}", contact.0, queue.0)
        }
        Output::Abandoned { contact, queue, waited_ms } => {
            format!("Abandoned c{} q{} waited={waited_ms}", contact.0, queue.0)
        }
        Output::Finished { contact, agent } => format!("Finished c{} a{}", contact.0, agent.0),
        Output::AgentChanged { agent, status, state } => {
            format!("Agent a{} {} {state:?}", agent.0, fmt_status(status))
        }
        Output::Rejected { input, reason } => format!("Rejected {input} {reason:?}"),
    }
}

/// Runs `script` on the engine (with checks on) and on the reference router;
/// asserts both produce the same outputs and that every invariant holds after
/// every input. Returns the engine and the printed outputs.
pub fn run(script: &[(u64, Input)]) -> (Engine, String) {
    let mut e = Engine::new();
    let mut n = NaiveRouter::new();
    e.set_checking(true);
    let mut text = String::new();
    for (t, input) in script {
        e.handle(Time(*t), input.clone());
        n.handle(Time(*t), input.clone());
        let mut outs = Vec::new();
        while let Some(o) = e.poll_output() {
            outs.push(o);
        }
        let mut naive = Vec::new();
        while let Some(o) = n.poll_output() {
            naive.push(o);
        }
        assert_eq!(outs, naive, "engine and reference router differ after {input:?} at {t}");
        if let Err(why) = e.check_invariants() {
            panic!("invariant violated after {input:?} at {t}:\n{why}");
        }
        for o in &outs {
            text.push_str(&format!("{t:<6} {}\n", fmt(o)));
        }
    }
    (e, text)
}

pub fn check(script: &[(u64, Input)], expect: expect_test::Expect) {
    let (_, text) = run(script);
    expect.assert_eq(&text);
}

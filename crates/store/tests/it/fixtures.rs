//! Rows with every field set, for round trips.

use hotline_store::*;

pub const T0: i64 = 1_700_000_000_000;

pub async fn tenant(store: &Store, id: &str) -> TenantStore {
    store
        .ensure_tenant(id, &format!("Tenant {id}"))
        .await
        .expect("tenant");
    store.tenant(id)
}

pub fn skill(id: &str, kind: &str) -> Skill {
    Skill {
        id: id.into(),
        name: format!("技能 {id}"),
        kind: kind.into(),
        created_at: T0,
    }
}

/// Skills `sales`, `support`, `vip` and languages `zh`, `en`.
pub async fn skills(t: &TenantStore) {
    for (id, kind) in [
        ("sales", "skill"),
        ("support", "skill"),
        ("vip", "skill"),
        ("zh", "language"),
        ("en", "language"),
    ] {
        t.insert_skill(&skill(id, kind))
            .await
            .expect("insert skill");
    }
}

pub fn queue(id: &str) -> Queue {
    Queue {
        id: id.into(),
        name: format!("队列 {id}"),
        channel: "voice".into(),
        strategy: "best_skill".into(),
        steps: vec![
            Step {
                skills: vec![
                    StepSkill {
                        skill: "sales".into(),
                        min_level: 5,
                    },
                    StepSkill {
                        skill: "zh".into(),
                        min_level: 3,
                    },
                ],
                relax_contact_levels: 1,
                drop_contact_skills: false,
                timeout_secs: Some(30),
            },
            Step {
                skills: vec![],
                relax_contact_levels: 0,
                drop_contact_skills: true,
                timeout_secs: None,
            },
        ],
        service_level_secs: 20,
        service_level_target_pct: 80,
        sl_window_secs: 1800,
        offer_timeout_secs: 15,
        wrap_up_secs: 10,
        max_missed_offers: 2,
        aging_per_sec: 1,
        vip_boost: 50,
        sticky_secs: 30,
        max_wait_secs: Some(600),
        give_up_action: "voicemail".into(),
        overflow_queue: None,
        overflow_after_secs: Some(120),
        overflow_when_no_agents: true,
        enabled: true,
        caller: Default::default(),
        created_at: T0,
        updated_at: T0 + 1,
    }
}

pub fn agent(ext: &str) -> Agent {
    Agent {
        id: uuid::Uuid::now_v7().to_string(),
        extension: ext.into(),
        name: format!("坐席 {ext}"),
        // Deliberately not in id order: the order given is kept.
        skills: vec![
            AgentSkill {
                skill: "vip".into(),
                level: 7,
            },
            AgentSkill {
                skill: "sales".into(),
                level: 10,
            },
        ],
        languages: vec!["zh".into(), "en".into()],
        queues: vec!["sales".into()],
        capacity: Capacity {
            voice: 1,
            chat: 3,
            email: 5,
        },
        enabled: true,
        created_at: T0,
        updated_at: T0 + 5,
    }
}

pub fn customer(name: &str, phone: &str) -> Customer {
    Customer {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.into(),
        phones: vec![phone.into()],
        email: Some(format!("{}@example.com", phone)),
        tier: 2,
        tags: vec!["new".into(), "complaint-history".into()],
        created_at: T0,
        updated_at: T0,
    }
}

pub fn interaction(arrived_at: i64) -> Interaction {
    Interaction {
        id: uuid::Uuid::now_v7().to_string(),
        channel: "voice".into(),
        direction: "inbound".into(),
        queue_id: None,
        agent_id: None,
        customer_id: None,
        from_addr: Some("13800138000".into()),
        to_addr: Some("4008001234".into()),
        sip_call_id: Some(format!("call-{arrived_at}@pbx")),
        priority: 3,
        arrived_at,
        enqueued_at: None,
        offered_at: None,
        answered_at: None,
        ended_at: None,
        outcome: None,
        hangup_cause: None,
        wrap_up_code: None,
        notes: None,
        ivr: Default::default(),
    }
}

/// Asserts that the result is a conflict on this entity and id.
#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(r: Result<T>, entity: &str, id: &str) {
    match r {
        Err(StoreError::Conflict { entity: e, id: i }) if e == entity && i == id => {}
        other => panic!("expected a conflict on {entity} `{id}`, got {other:?}"),
    }
}

/// Asserts that the result is a not-found on this entity and id.
#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(r: Result<T>, entity: &str, id: &str) {
    match r {
        Err(StoreError::NotFound { entity: e, id: i }) if e == entity && i == id => {}
        other => panic!("expected {entity} `{id}` not found, got {other:?}"),
    }
}

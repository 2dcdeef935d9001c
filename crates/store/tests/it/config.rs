use hotline_store::{AgentSkill, Capacity, ReasonCode, Skill, Step, StepSkill, WrapUpCode};

use crate::fixtures::{self, assert_conflict, assert_not_found, T0};
use crate::support::for_each_backend;

#[tokio::test]
async fn skills_round_trip() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let sales = Skill {
            id: "sales".into(),
            name: "售前".into(),
            kind: "skill".into(),
            created_at: T0,
        };
        let yue = Skill {
            id: "yue".into(),
            name: "粤语".into(),
            kind: "language".into(),
            created_at: T0 + 1,
        };
        t.insert_skill(&yue).await.unwrap();
        t.insert_skill(&sales).await.unwrap();
        assert_eq!(
            t.list_skills().await.unwrap(),
            vec![sales.clone(), yue.clone()]
        );
        assert_eq!(t.skill("yue").await.unwrap(), Some(yue.clone()));
        assert_eq!(t.skill("fr").await.unwrap(), None);
        assert_conflict(t.insert_skill(&sales).await, "skill", "sales");

        let renamed = Skill {
            name: "销售".into(),
            ..sales.clone()
        };
        t.update_skill(&renamed).await.unwrap();
        assert_eq!(t.skill("sales").await.unwrap(), Some(renamed));
        assert_not_found(
            t.update_skill(&Skill {
                id: "fr".into(),
                ..yue.clone()
            })
            .await,
            "skill",
            "fr",
        );

        let bad = Skill {
            id: "x".into(),
            kind: "talent".into(),
            ..sales
        };
        assert!(
            t.insert_skill(&bad).await.unwrap_err().is_check_violation(),
            "kind is skill or language"
        );
    })
    .await;
}

#[tokio::test]
async fn queues_round_trip_with_routing_steps() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let sales = fixtures::queue("sales");
        t.insert_queue(&sales).await.unwrap();
        assert_eq!(t.queue("sales").await.unwrap(), Some(sales.clone()));

        let support = hotline_store::Queue {
            name: "售后服务".into(),
            channel: "chat".into(),
            strategy: "least_occupied".into(),
            steps: vec![],
            max_wait_secs: None,
            overflow_queue: Some("sales".into()),
            overflow_after_secs: None,
            overflow_when_no_agents: false,
            enabled: false,
            give_up_action: "callback".into(),
            ..fixtures::queue("support")
        };
        t.insert_queue(&support).await.unwrap();
        assert_eq!(
            t.list_queues().await.unwrap(),
            vec![sales.clone(), support.clone()]
        );
        assert_conflict(t.insert_queue(&sales).await, "queue", "sales");

        let mut changed = sales.clone();
        changed.name = "售前咨询".into();
        changed.strategy = "round_robin".into();
        changed.steps.push(Step {
            skills: vec![StepSkill {
                skill: "vip".into(),
                min_level: 10,
            }],
            relax_contact_levels: 9,
            drop_contact_skills: true,
            timeout_secs: Some(u32::MAX),
        });
        changed.service_level_target_pct = 100;
        changed.vip_boost = u32::MAX;
        changed.max_wait_secs = None;
        changed.overflow_queue = Some("support".into());
        changed.overflow_when_no_agents = false;
        changed.updated_at = T0 + 99;
        t.update_queue(&changed).await.unwrap();
        assert_eq!(t.queue("sales").await.unwrap(), Some(changed.clone()));
        // The creation time is not rewritten.
        t.update_queue(&hotline_store::Queue {
            created_at: 1,
            ..changed.clone()
        })
        .await
        .unwrap();
        assert_eq!(t.queue("sales").await.unwrap().unwrap().created_at, T0);
        assert_not_found(
            t.update_queue(&fixtures::queue("nope")).await,
            "queue",
            "nope",
        );

        // Enums, ranges and the overflow target are checked by the database.
        let bad = hotline_store::Queue {
            strategy: "random".into(),
            ..fixtures::queue("bad")
        };
        assert!(t.insert_queue(&bad).await.unwrap_err().is_check_violation());
        let bad = hotline_store::Queue {
            service_level_target_pct: 101,
            ..fixtures::queue("bad")
        };
        assert!(t.insert_queue(&bad).await.unwrap_err().is_check_violation());
        let bad = hotline_store::Queue {
            overflow_queue: Some("nowhere".into()),
            ..fixtures::queue("bad")
        };
        assert!(t
            .insert_queue(&bad)
            .await
            .unwrap_err()
            .is_foreign_key_violation());
        assert_eq!(t.queue("bad").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn agents_round_trip_and_skills_are_replaced() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        fixtures::skills(&t).await;
        let a = fixtures::agent("8001");
        let b = hotline_store::Agent {
            skills: vec![],
            languages: vec![],
            queues: vec![],
            enabled: false,
            ..fixtures::agent("7002")
        };
        t.insert_agent(&a).await.unwrap();
        t.insert_agent(&b).await.unwrap();
        assert_eq!(t.agent(&a.id).await.unwrap(), Some(a.clone()));
        assert_eq!(t.agent_by_extension("8001").await.unwrap(), Some(a.clone()));
        assert_eq!(t.agent_by_extension("9999").await.unwrap(), None);
        assert_eq!(
            t.list_agents().await.unwrap(),
            vec![b.clone(), a.clone()],
            "by extension"
        );

        assert_conflict(t.insert_agent(&a).await, "agent", &a.id);
        let same_ext = fixtures::agent("8001");
        assert_conflict(t.insert_agent(&same_ext).await, "agent extension", "8001");
        assert_eq!(t.agent(&same_ext.id).await.unwrap(), None);

        let mut changed = a.clone();
        changed.name = "张伟".into();
        changed.extension = "8101".into();
        changed.skills = vec![
            AgentSkill {
                skill: "support".into(),
                level: 1,
            },
            AgentSkill {
                skill: "sales".into(),
                level: 4,
            },
            AgentSkill {
                skill: "zh".into(),
                level: 10,
            },
        ];
        changed.languages = vec!["yue".into()];
        changed.queues = vec!["support".into(), "vip".into()];
        changed.capacity = Capacity {
            voice: 0,
            chat: 255,
            email: 2,
        };
        changed.updated_at = T0 + 77;
        t.update_agent(&changed).await.unwrap();
        assert_eq!(t.agent(&a.id).await.unwrap(), Some(changed.clone()));
        assert_eq!(t.agent_by_extension("8001").await.unwrap(), None);
        assert_conflict(
            t.update_agent(&hotline_store::Agent {
                extension: "7002".into(),
                ..changed.clone()
            })
            .await,
            "agent extension",
            "7002",
        );
        let ghost = fixtures::agent("1234");
        assert_not_found(t.update_agent(&ghost).await, "agent", &ghost.id);

        // Skill level 11 breaks the CHECK: nothing of the change is kept.
        let mut bad = changed.clone();
        bad.name = "改名".into();
        bad.skills = vec![AgentSkill {
            skill: "vip".into(),
            level: 11,
        }];
        let err = t.update_agent(&bad).await.unwrap_err();
        assert!(err.is_check_violation(), "{err}");
        assert_eq!(t.agent(&a.id).await.unwrap(), Some(changed.clone()));
        let err = t
            .insert_agent(&hotline_store::Agent {
                skills: vec![AgentSkill {
                    skill: "vip".into(),
                    level: 0,
                }],
                ..fixtures::agent("8009")
            })
            .await
            .unwrap_err();
        assert!(err.is_check_violation(), "{err}");
        assert_eq!(
            t.agent_by_extension("8009").await.unwrap(),
            None,
            "the agent row was rolled back with its skills"
        );

        // Skills must exist, and be listed once.
        let unknown = hotline_store::Agent {
            skills: vec![AgentSkill {
                skill: "cooking".into(),
                level: 5,
            }],
            ..fixtures::agent("8010")
        };
        assert!(t
            .insert_agent(&unknown)
            .await
            .unwrap_err()
            .is_foreign_key_violation());
        let twice = hotline_store::Agent {
            skills: vec![
                AgentSkill {
                    skill: "vip".into(),
                    level: 5,
                },
                AgentSkill {
                    skill: "vip".into(),
                    level: 6,
                },
            ],
            ..fixtures::agent("8011")
        };
        assert_conflict(t.insert_agent(&twice).await, "agent skill", "vip");
        assert_eq!(t.list_agents().await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn reason_and_wrap_up_codes_upsert() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let lunch = ReasonCode {
            id: "lunch".into(),
            label: "午餐".into(),
            paid: false,
        };
        let brk = ReasonCode {
            id: "break".into(),
            label: "休息".into(),
            paid: true,
        };
        t.upsert_reason_code(&lunch).await.unwrap();
        t.upsert_reason_code(&brk).await.unwrap();
        assert_eq!(
            t.list_reason_codes().await.unwrap(),
            vec![brk.clone(), lunch.clone()]
        );
        let paid_lunch = ReasonCode {
            label: "午休".into(),
            paid: true,
            ..lunch
        };
        t.upsert_reason_code(&paid_lunch).await.unwrap();
        assert_eq!(t.list_reason_codes().await.unwrap(), vec![brk, paid_lunch]);

        let resolved = WrapUpCode {
            id: "resolved".into(),
            label: "已解决".into(),
            category: "resolution".into(),
        };
        t.upsert_wrap_up_code(&resolved).await.unwrap();
        let relabelled = WrapUpCode {
            label: "问题已解决".into(),
            category: "done".into(),
            ..resolved
        };
        t.upsert_wrap_up_code(&relabelled).await.unwrap();
        assert_eq!(t.list_wrap_up_codes().await.unwrap(), vec![relabelled]);
    })
    .await;
}

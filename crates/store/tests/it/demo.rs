use std::collections::HashSet;

use hotline_store::SeedReport;

use crate::support::for_each_backend;

#[tokio::test]
async fn demo_seed_is_complete_and_idempotent() {
    for_each_backend(|store| async move {
        let first = store.seed_demo("$argon2id$demo").await.unwrap();
        // tenant 1 + skills 8 + queues 3 + agents 6 + users 10 + reason codes 5 + wrap-up codes 6 + customers 50
        // + the IVR flow and the survey flow + 23 English labels + 1 calendar + 2 teams
        assert_eq!(
            first,
            SeedReport {
                created: 117,
                skipped: 0
            }
        );
        let second = store.seed_demo("$argon2id$other").await.unwrap();
        assert_eq!(
            second,
            SeedReport {
                created: 0,
                skipped: 117
            }
        );

        let t = store.tenant("default");
        let skills = t.list_skills().await.unwrap();
        assert_eq!(skills.len(), 8);
        assert_eq!(skills.iter().filter(|s| s.kind == "language").count(), 3);
        let queues = t.list_queues().await.unwrap();
        let agents = t.list_agents().await.unwrap();
        let users = t.list_users().await.unwrap();
        assert_eq!((queues.len(), agents.len(), users.len()), (3, 6, 10));
        assert_eq!(t.list_reason_codes().await.unwrap().len(), 5);
        assert_eq!(t.list_wrap_up_codes().await.unwrap().len(), 6);
        let customers = t.list_customers(None, 1000, 0).await.unwrap();
        assert_eq!(customers.len(), 50);

        // Queues.
        let sales = t.queue("sales").await.unwrap().unwrap();
        assert_eq!(
            (
                sales.name.as_str(),
                sales.strategy.as_str(),
                sales.service_level_secs,
                sales.service_level_target_pct
            ),
            ("售前咨询", "longest_idle", 20, 80)
        );
        assert_eq!(
            (
                sales.offer_timeout_secs,
                sales.wrap_up_secs,
                sales.max_missed_offers,
                sales.vip_boost
            ),
            (15, 10, 2, 50)
        );
        assert_eq!(
            (sales.max_wait_secs, sales.give_up_action.as_str()),
            (Some(600), "voicemail")
        );
        assert_eq!(sales.steps.len(), 2);
        assert_eq!(
            (
                sales.steps[0].skills[0].min_level,
                sales.steps[0].timeout_secs
            ),
            (5, Some(30))
        );
        let support = t.queue("support").await.unwrap().unwrap();
        assert_eq!(
            (
                support.strategy.as_str(),
                support.overflow_queue.as_deref(),
                support.overflow_after_secs
            ),
            ("least_occupied", Some("sales"), Some(300))
        );
        assert_eq!(
            (support.max_wait_secs, support.give_up_action.as_str()),
            (Some(900), "callback")
        );
        assert!(support.steps[1].relax_contact_levels > 0);
        let vip = t.queue("vip").await.unwrap().unwrap();
        assert_eq!(
            (
                vip.name.as_str(),
                vip.strategy.as_str(),
                vip.service_level_secs,
                vip.service_level_target_pct,
                vip.vip_boost,
                vip.sticky_secs
            ),
            ("VIP专线", "best_skill", 10, 90, 100, 30)
        );
        assert_eq!(
            (vip.overflow_queue.as_deref(), vip.overflow_when_no_agents),
            (Some("support"), true)
        );
        assert_eq!(vip.steps.len(), 3);
        assert!(vip.steps[2].drop_contact_skills && vip.steps[2].skills.is_empty());

        // Agents: every queue has two or more, languages are mixed.
        let exts: Vec<&str> = agents.iter().map(|a| a.extension.as_str()).collect();
        assert_eq!(exts, ["8001", "8002", "8003", "8004", "8005", "8006"]);
        for q in &queues {
            let serving: Vec<_> = agents.iter().filter(|a| a.queues.contains(&q.id)).collect();
            assert!(
                serving.len() >= 2,
                "queue {} has {} agents",
                q.id,
                serving.len()
            );
            let first = &q.steps[0].skills[0];
            let strict = serving
                .iter()
                .filter(|a| {
                    a.skills
                        .iter()
                        .any(|s| s.skill == first.skill && s.level >= first.min_level)
                })
                .count();
            assert!(
                strict >= 2,
                "queue {}: {strict} agents pass the first step",
                q.id
            );
        }
        assert!(agents
            .iter()
            .any(|a| a.languages.contains(&"yue".to_owned())));
        assert!(
            agents
                .iter()
                .filter(|a| a.languages.contains(&"en".to_owned()))
                .count()
                >= 2
        );
        let skill_sets: HashSet<Vec<(String, u8)>> = agents
            .iter()
            .map(|a| {
                a.skills
                    .iter()
                    .map(|s| (s.skill.clone(), s.level))
                    .collect()
            })
            .collect();
        assert_eq!(skill_sets.len(), 6, "each agent has its own mix");
        assert!(agents
            .iter()
            .all(|a| (a.capacity.voice, a.capacity.chat, a.capacity.email) == (1, 3, 5)));

        // Users.
        for i in 1..=6 {
            let u = t
                .user_by_username(&format!("agent{i}"))
                .await
                .unwrap()
                .unwrap();
            let agent = t
                .agent(u.agent_id.as_deref().expect("linked"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(agent.extension, format!("800{i}"));
            assert_eq!(u.roles, ["agent"]);
            assert_eq!(
                u.password_hash, "$argon2id$demo",
                "a second seed does not reset passwords"
            );
        }
        for role in ["supervisor", "admin", "qa", "auditor"] {
            let u = t.user_by_username(role).await.unwrap().unwrap();
            assert_eq!(
                (u.roles.as_slice(), u.agent_id.as_deref(), u.enabled),
                (&[role.to_owned()][..], None, true)
            );
        }

        // Codes.
        let reasons = t.list_reason_codes().await.unwrap();
        let find = |id: &str| reasons.iter().find(|r| r.id == id).unwrap().clone();
        assert_eq!(
            (find("break").label.as_str(), find("break").paid),
            ("休息", true)
        );
        assert!(!find("lunch").paid && find("training").paid && find("meeting").paid);
        assert_eq!(find("missed").label, "未接");
        assert!(t
            .list_wrap_up_codes()
            .await
            .unwrap()
            .iter()
            .any(|w| w.id == "resolved" && w.label == "已解决"));

        // Customers.
        let names: HashSet<&str> = customers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 50, "names are unique");
        for c in &customers {
            assert!(
                c.name.chars().count() >= 2 && !c.name.is_ascii(),
                "{}",
                c.name
            );
            for p in &c.phones {
                let b = p.as_bytes();
                assert!(
                    b.len() == 11
                        && b[0] == b'1'
                        && (b'3'..=b'9').contains(&b[1])
                        && p.chars().all(|ch| ch.is_ascii_digit()),
                    "{p}"
                );
            }
            assert_eq!(c.tier == 3, c.tags.contains(&"vip".to_owned()));
        }
        let vips = customers.iter().filter(|c| c.tier == 3).count();
        assert!((3..=8).contains(&vips), "{vips} VIPs");
        assert_eq!(
            customers
                .iter()
                .filter(|c| c.tags.contains(&"blacklist".to_owned()))
                .count(),
            1
        );
        assert!(
            customers.iter().any(|c| c.email.is_some())
                && customers.iter().any(|c| c.email.is_none())
        );
        assert!(customers.iter().any(|c| c.phones.len() > 1));
        assert_eq!(
            t.customer_by_phone("13800138000").await.unwrap().as_ref(),
            customers.first()
        );
    })
    .await;
}

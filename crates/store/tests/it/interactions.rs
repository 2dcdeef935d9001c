use hotline_store::{AgentPresence, Interaction, NewAuditEntry, NewQueueEvent};

use crate::fixtures::{self, assert_conflict, assert_not_found, T0};
use crate::support::for_each_backend;

#[tokio::test]
async fn interactions_round_trip_newest_first() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        fixtures::skills(&t).await;
        t.insert_queue(&fixtures::queue("sales")).await.unwrap();
        let agent = fixtures::agent("8001");
        t.insert_agent(&agent).await.unwrap();
        let customer = fixtures::customer("王建国", "13800138000");
        t.insert_customer(&customer).await.unwrap();

        let first = fixtures::interaction(T0);
        t.insert_interaction(&first).await.unwrap();
        assert_eq!(t.interaction(&first.id).await.unwrap(), Some(first.clone()));
        assert_conflict(t.insert_interaction(&first).await, "interaction", &first.id);

        let answered = Interaction {
            queue_id: Some("sales".into()),
            agent_id: Some(agent.id.clone()),
            customer_id: Some(customer.id.clone()),
            enqueued_at: Some(T0 + 1_010),
            offered_at: Some(T0 + 5_000),
            answered_at: Some(T0 + 7_500),
            ended_at: Some(T0 + 90_000),
            outcome: Some("answered".into()),
            hangup_cause: Some("NORMAL_CLEARING".into()),
            wrap_up_code: Some("resolved".into()),
            notes: Some("客户询问套餐价格，已下单。".into()),
            ivr: [("lang".to_string(), "zh".to_string()), ("o.status_zh".to_string(), "已发货".to_string())].into(),
            priority: -2,
            ..fixtures::interaction(T0 + 1_000)
        };
        t.insert_interaction(&Interaction {
            ended_at: None,
            outcome: None,
            ..answered.clone()
        })
        .await
        .unwrap();
        t.update_interaction(&answered).await.unwrap();
        assert_eq!(
            t.interaction(&answered.id).await.unwrap(),
            Some(answered.clone())
        );
        let ghost = fixtures::interaction(1);
        assert_not_found(t.update_interaction(&ghost).await, "interaction", &ghost.id);

        let third = Interaction {
            channel: "chat".into(),
            direction: "outbound".into(),
            from_addr: None,
            to_addr: None,
            sip_call_id: None,
            ..fixtures::interaction(T0 + 2_000)
        };
        t.insert_interaction(&third).await.unwrap();
        assert_eq!(
            t.list_interactions(10).await.unwrap(),
            vec![third.clone(), answered.clone(), first.clone()]
        );
        assert_eq!(
            t.list_interactions(2).await.unwrap(),
            vec![third.clone(), answered.clone()]
        );
        assert_eq!(
            t.customer_interactions(&customer.id, 10).await.unwrap(),
            vec![answered.clone()]
        );

        // A restart closes what was left open; finished rows are untouched.
        assert_eq!(
            t.close_open_interactions(T0 + 100_000, "interrupted")
                .await
                .unwrap(),
            2
        );
        let closed = t.interaction(&first.id).await.unwrap().unwrap();
        assert_eq!(
            (closed.ended_at, closed.outcome.as_deref()),
            (Some(T0 + 100_000), Some("interrupted"))
        );
        assert_eq!(
            t.interaction(&answered.id).await.unwrap(),
            Some(answered.clone())
        );
        assert_eq!(
            t.close_open_interactions(T0 + 200_000, "interrupted")
                .await
                .unwrap(),
            0
        );

        let bad = Interaction {
            direction: "sideways".into(),
            ..fixtures::interaction(T0)
        };
        assert!(t
            .insert_interaction(&bad)
            .await
            .unwrap_err()
            .is_check_violation());
        let bad = Interaction {
            queue_id: Some("nowhere".into()),
            ..fixtures::interaction(T0)
        };
        assert!(t
            .insert_interaction(&bad)
            .await
            .unwrap_err()
            .is_foreign_key_violation());
    })
    .await;
}

fn event(at: i64, verb: &str, data: &[&str]) -> NewQueueEvent {
    NewQueueEvent {
        at,
        interaction_id: Some(format!("call-{at}")),
        queue_id: Some("sales".into()),
        agent_id: (verb != "ENTERQUEUE").then(|| "8001".to_owned()),
        event: verb.into(),
        data: data.iter().map(|d| (*d).to_owned()).collect(),
    }
}

#[tokio::test]
async fn queue_events_come_back_in_order() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        assert!(t.list_queue_events(0, 10).await.unwrap().is_empty());
        t.append_queue_events(&[]).await.unwrap();

        let batch: Vec<NewQueueEvent> = vec![
            event(T0, "ENTERQUEUE", &["", "13800138000", "1"]),
            event(T0 + 5, "RINGNOANSWER", &["15000"]),
            event(T0 + 5, "CONNECT", &["7", "call-1", "3"]),
            event(T0 + 2, "COMPLETEAGENT", &["7", "93", "1"]),
            NewQueueEvent {
                interaction_id: None,
                queue_id: None,
                ..event(T0 + 9, "PAUSE", &["break"])
            },
        ];
        t.append_queue_events(&batch).await.unwrap();
        let more: Vec<NewQueueEvent> = (0..60)
            .map(|i| event(T0 + 100 + i, "ABANDON", &["1", "1", &i.to_string()]))
            .collect();
        t.append_queue_events(&more).await.unwrap();

        let log = t.list_queue_events(0, 1000).await.unwrap();
        assert_eq!(log.len(), 65);
        assert!(log.windows(2).all(|w| w[0].id < w[1].id), "ids increase");
        let back: Vec<NewQueueEvent> = log
            .iter()
            .map(|e| NewQueueEvent {
                at: e.at,
                interaction_id: e.interaction_id.clone(),
                queue_id: e.queue_id.clone(),
                agent_id: e.agent_id.clone(),
                event: e.event.clone(),
                data: e.data.clone(),
            })
            .collect();
        assert_eq!(
            back[..5],
            batch[..],
            "in the order appended, every field kept"
        );
        assert_eq!(back[5..], more[..]);

        // Reading on from an id.
        let page = t.list_queue_events(log[2].id, 3).await.unwrap();
        assert_eq!(page, log[3..6]);
        assert!(t
            .list_queue_events(log[64].id, 10)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}

#[tokio::test]
async fn presence_is_kept_per_agent() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        fixtures::skills(&t).await;
        let (a, b) = (fixtures::agent("8001"), fixtures::agent("8002"));
        t.insert_agent(&a).await.unwrap();
        t.insert_agent(&b).await.unwrap();
        let pa = AgentPresence {
            agent_id: a.id.clone(),
            status: "available".into(),
            reason: None,
            updated_at: T0,
        };
        let pb = AgentPresence {
            agent_id: b.id.clone(),
            status: "not_ready".into(),
            reason: Some("lunch".into()),
            updated_at: T0 + 1,
        };
        t.set_presence(&pa).await.unwrap();
        t.set_presence(&pb).await.unwrap();
        assert_eq!(
            t.list_presence().await.unwrap(),
            vec![pa.clone(), pb.clone()]
        );
        let pa2 = AgentPresence {
            status: "not_ready".into(),
            reason: Some("break".into()),
            updated_at: T0 + 2,
            ..pa.clone()
        };
        t.set_presence(&pa2).await.unwrap();
        let pb2 = AgentPresence {
            status: "logged_out".into(),
            reason: None,
            updated_at: T0 + 3,
            ..pb
        };
        t.set_presence(&pb2).await.unwrap();
        assert_eq!(t.list_presence().await.unwrap(), vec![pa2, pb2]);
        let bad = AgentPresence {
            status: "asleep".into(),
            ..pa
        };
        assert!(t.set_presence(&bad).await.unwrap_err().is_check_violation());
    })
    .await;
}

#[tokio::test]
async fn audit_log_lists_newest_first() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let entries: Vec<NewAuditEntry> = (0..5)
            .map(|i| NewAuditEntry {
                at: T0 + i,
                actor: (i % 2 == 0).then(|| "admin".to_owned()),
                action: format!("queue.update.{i}"),
                target: (i != 3).then(|| "sales".to_owned()),
                ip: (i != 1).then(|| "192.168.1.20".to_owned()),
                detail: if i == 4 {
                    String::new()
                } else {
                    format!("{{\"step\":{i}}}")
                },
            })
            .collect();
        for e in &entries {
            t.append_audit(e).await.unwrap();
        }
        let log = t.list_audit(3).await.unwrap();
        assert_eq!(log.len(), 3);
        assert!(log.windows(2).all(|w| w[0].id > w[1].id));
        for (got, want) in log.iter().zip(entries.iter().rev()) {
            assert_eq!(
                (
                    got.at,
                    &got.actor,
                    &got.action,
                    &got.target,
                    &got.ip,
                    &got.detail
                ),
                (
                    want.at,
                    &want.actor,
                    &want.action,
                    &want.target,
                    &want.ip,
                    &want.detail
                )
            );
        }
        assert_eq!(t.list_audit(100).await.unwrap().len(), 5);
    })
    .await;
}

//! The reconciler against a real routing driver on the demo center.

use hotline_acd::{AcdOptions, NewContact, StatusRequest};
use hotline_calls::{Config, Orchestrator, Repair};
use hotline_events::EventBus;
use hotline_store::Store;

#[tokio::test]
async fn an_agent_busy_with_no_call_and_one_rung_for_nobody_are_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect_sqlite_file(&dir.path().join("hotline.db")).await.unwrap();
    store.migrate().await.unwrap();
    store.seed_demo("not-a-real-hash").await.unwrap();
    let opts = AcdOptions { tenant: "default".into(), persist_batch: 100, utc_offset_minutes: 480, journal: None };
    let (acd, _task) = hotline_acd::start(store.clone(), EventBus::new(64), opts).await.unwrap();
    let agents = acd.agents().await.unwrap();
    let in_sales: Vec<String> = store
        .tenant("default")
        .list_agents()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.queues.iter().any(|q| q == "sales"))
        .map(|a| a.id)
        .collect();
    assert!(in_sales.len() >= 2, "the demo has two sales agents: {agents:?}");
    let (a, b) = (&in_sales[0], &in_sales[1]);
    acd.set_status(a, StatusRequest::Available).await.unwrap();

    // A call routing believes in, with no call behind it (a crashed task, say).
    let call = NewContact { queue_id: "sales".into(), channel: "voice".into(), ..NewContact::default() };
    let first = acd.submit(call.clone()).await.unwrap();
    let snap = acd.agent(a).await.unwrap();
    let offer = snap.offer.expect("offered to the only available agent");
    assert_eq!((offer.contact_id.as_str(), offer.channel.as_str()), (first.as_str(), "voice"));
    acd.accept(&offer.offer_id, Some(a)).await.unwrap();
    assert_eq!(acd.agent(a).await.unwrap().active_voice, vec![first.clone()]);
    // A second one rings agent b for a caller nobody is connected to.
    acd.set_status(b, StatusRequest::Available).await.unwrap();
    let second = acd.submit(call).await.unwrap();
    assert_eq!(acd.agent(b).await.unwrap().offer.map(|o| o.contact_id), Some(second.clone()));

    let calls = Orchestrator::new(Config::default());
    let mut reconciler = hotline_telephony::reconcile::Reconciler::default();
    // Seen once, drift may be a race between routing and calls: nothing yet.
    assert_eq!(reconciler.pass(&acd, &calls).await, vec![]);
    assert!(acd.agent(b).await.unwrap().offer.is_some(), "not repaired on a first look");
    let mut applied = reconciler.pass(&acd, &calls).await;
    applied.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(applied.len(), 2, "{applied:?}");
    assert!(applied.contains(&Repair::FinishContact { agent: a.clone(), contact: first }));
    assert!(applied.contains(&Repair::DropContact { agent: b.clone(), contact: second.clone() }));
    // Agent a is no longer busy; nobody rings for the gone caller.
    assert_ne!(acd.agent(a).await.unwrap().state, "busy");
    for agent in [a, b] {
        assert!(acd.agent(agent).await.unwrap().offer.is_none(), "{agent} still rung");
    }
    let waiting: u32 = acd.queues().await.unwrap().iter().map(|q| q.stats.waiting).sum();
    assert_eq!(waiting, 0, "the caller-less contact left the queue");
    // A second pass finds nothing left to repair for agent a.
    reconciler.pass(&acd, &calls).await;
    let again = reconciler.pass(&acd, &calls).await;
    assert!(!again.iter().any(|r| matches!(r, Repair::FinishContact { .. })), "{again:?}");
}

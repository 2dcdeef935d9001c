use crate::fixtures::{self, T0};
use crate::support::for_each_backend;

#[tokio::test]
async fn flow_versions_drafts_and_publishing() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let v1 = t.save_flow_draft("main", r#"{"v":1}"#, Some("admin"), T0).await.unwrap();
        assert_eq!(v1.version, 1);
        assert_eq!(t.published_flow("main").await.unwrap(), None, "drafts do not run");
        t.publish_flow("main", 1, T0 + 1).await.unwrap();
        assert!(t.publish_flow("main", 1, T0 + 2).await.is_err(), "published once");
        assert!(t.publish_flow("main", 9, T0 + 2).await.is_err(), "unknown version");
        let v2 = t.save_flow_draft("main", r#"{"v":2}"#, None, T0 + 3).await.unwrap();
        assert_eq!(v2.version, 2);
        // The running version stays 1 until 2 is published.
        assert_eq!(t.published_flow("main").await.unwrap().unwrap().document, r#"{"v":1}"#);
        t.publish_flow("main", 2, T0 + 4).await.unwrap();
        let running = t.published_flow("main").await.unwrap().unwrap();
        assert_eq!((running.version, running.published_at), (2, Some(T0 + 4)));
        let all = t.flow_versions("main").await.unwrap();
        assert_eq!(all.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
        assert_eq!(all[1].created_by.as_deref(), Some("admin"));
        t.save_flow_draft("after_hours", "{}", None, T0).await.unwrap();
        assert_eq!(t.flow_ids().await.unwrap(), vec!["after_hours".to_string(), "main".to_string()]);
        t.set_ivr_number("1000", "main").await.unwrap();
        t.set_ivr_number("1000", "after_hours").await.unwrap();
        t.set_ivr_number("12345", "main").await.unwrap();
        assert_eq!(
            t.ivr_numbers().await.unwrap(),
            vec![("1000".into(), "after_hours".into()), ("12345".into(), "main".into())]
        );
    })
    .await;
}

#[tokio::test]
async fn survey_answers_are_kept_once_per_interaction() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let answers = std::collections::BTreeMap::from([("score".to_string(), "5".to_string()), ("caller".to_string(), "x".to_string())]);
        assert_eq!(t.save_survey("i1", &answers, T0).await.unwrap(), Some(5));
        assert_eq!(t.survey_score("i1").await.unwrap(), Some(5));
        assert!(matches!(t.save_survey("i1", &answers, T0).await, Err(hotline_store::StoreError::Conflict { .. })));
        // An answer that is not a score 1-5 is kept without a score.
        let odd = std::collections::BTreeMap::from([("score".to_string(), "9".to_string())]);
        assert_eq!(t.save_survey("i2", &odd, T0).await.unwrap(), None);
        assert_eq!(t.survey_score("i2").await.unwrap(), None);
        assert_eq!(t.survey_score("i3").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn broadcasts_switch_on_change_and_off_per_tenant() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let other = fixtures::tenant(&store, "other").await;
        let on = hotline_store::Broadcast {
            number: "12345".into(),
            prompt: "tts:cmn:因系统升级，部分业务暂停办理。".into(),
            instead: false,
            updated_at: T0,
            updated_by: Some("supervisor".into()),
        };
        t.set_broadcast(&on).await.unwrap();
        assert_eq!(t.broadcasts().await.unwrap(), vec![on.clone()]);
        assert!(other.broadcasts().await.unwrap().is_empty(), "tenants do not see each other's");
        let instead = hotline_store::Broadcast { instead: true, updated_at: T0 + 1, ..on.clone() };
        t.set_broadcast(&instead).await.unwrap();
        assert_eq!(t.broadcasts().await.unwrap(), vec![instead]);
        assert!(t.clear_broadcast("12345").await.unwrap());
        assert!(!t.clear_broadcast("12345").await.unwrap(), "already off");
        assert!(t.broadcasts().await.unwrap().is_empty());
    })
    .await;
}

use hotline_store::{Recording, SipCredential};

use crate::fixtures::{self, T0};
use crate::support::for_each_backend;

#[tokio::test]
async fn sip_credentials_are_replaced_and_scoped_to_the_tenant() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let other = fixtures::tenant(&store, "other").await;
        let c = SipCredential {
            extension: "8001".into(),
            realm: "hotline".into(),
            ha1_md5: "a".repeat(32),
            ha1_sha256: "b".repeat(64),
            updated_at: T0,
        };
        t.set_sip_credential(&c).await.unwrap();
        assert_eq!(t.sip_credential("8001").await.unwrap(), Some(c.clone()));
        assert_eq!(other.sip_credential("8001").await.unwrap(), None);
        let changed = SipCredential { ha1_md5: "c".repeat(32), updated_at: T0 + 1, ..c };
        t.set_sip_credential(&changed).await.unwrap();
        assert_eq!(t.sip_credential("8001").await.unwrap(), Some(changed.clone()));
        assert!(!format!("{changed:?}").contains("ccc"), "HA1 never printed");
    })
    .await;
}

#[tokio::test]
async fn recordings_are_indexed_then_completed() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let r = Recording {
            id: "r1".into(),
            interaction_id: "i1".into(),
            customer_number: Some("13800138000".into()),
            agent_id: Some("a1".into()),
            started_at: T0,
            ended_at: None,
            duration_ms: None,
            path: "2026/11/23/r1.wav".into(),
            format: "wav/pcm_s16le/8000/stereo".into(),
            sha256: None,
        };
        t.insert_recording(&r).await.unwrap();
        assert_eq!(t.recordings_of("i1").await.unwrap(), vec![r.clone()]);
        t.finish_recording("r1", T0 + 5_000, 5_000, &"f".repeat(64)).await.unwrap();
        let done = t.recordings_of("i1").await.unwrap();
        assert_eq!(done[0].ended_at, Some(T0 + 5_000));
        assert_eq!(done[0].duration_ms, Some(5_000));
        assert_eq!(done[0].sha256.as_deref(), Some("f".repeat(64).as_str()));
        assert!(t.insert_recording(&r).await.is_err(), "ids are unique");
        assert!(t.recordings_of("i2").await.unwrap().is_empty());
    })
    .await;
}

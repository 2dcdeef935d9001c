use hotline_store::{NewUser, Session};

use crate::fixtures::{self, assert_conflict, assert_not_found, T0};
use crate::support::for_each_backend;

#[tokio::test]
async fn users_round_trip_and_names_are_unique() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        fixtures::skills(&t).await;
        let agent = fixtures::agent("8001");
        t.insert_agent(&agent).await.unwrap();

        let new = NewUser {
            username: "agent1".into(),
            display_name: "张伟".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            roles: vec!["agent".into(), "qa".into()],
            agent_id: Some(agent.id.clone()),
        };
        let user = t.create_user(new.clone()).await.unwrap();
        assert_eq!(
            (user.username.as_str(), user.enabled, user.roles.len()),
            ("agent1", true, 2)
        );
        assert_eq!(user.agent_id.as_deref(), Some(agent.id.as_str()));
        assert!(uuid::Uuid::parse_str(&user.id).is_ok());

        assert_eq!(t.user(&user.id).await.unwrap(), Some(user.clone()));
        assert_eq!(
            t.user_by_username("agent1").await.unwrap(),
            Some(user.clone())
        );
        assert_eq!(t.user_by_username("AGENT1").await.unwrap(), None);
        assert_eq!(t.user("nobody").await.unwrap(), None);

        assert_conflict(t.create_user(new.clone()).await, "user", "agent1");

        let admin = t
            .create_user(NewUser {
                username: "admin".into(),
                display_name: "管理员".into(),
                password_hash: "h".into(),
                roles: vec!["admin".into()],
                agent_id: None,
            })
            .await
            .unwrap();
        let all = t.list_users().await.unwrap();
        assert_eq!(all, vec![admin.clone(), user.clone()]);

        let mut changed = admin.clone();
        changed.display_name = "系统管理员".into();
        changed.roles = vec!["admin".into(), "supervisor".into()];
        changed.enabled = false;
        t.update_user(&changed).await.unwrap();
        assert_eq!(t.user(&admin.id).await.unwrap(), Some(changed.clone()));
        changed.username = "agent1".into();
        assert_conflict(t.update_user(&changed).await, "user", "agent1");
        changed.id = "missing".into();
        changed.username = "x".into();
        assert_not_found(t.update_user(&changed).await, "user", "missing");

        // A user linked to an agent that does not exist is refused.
        let ghost = NewUser {
            username: "ghost".into(),
            agent_id: Some("no-such-agent".into()),
            ..new
        };
        assert!(t
            .create_user(ghost)
            .await
            .unwrap_err()
            .is_foreign_key_violation());
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_and_end() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let user = t
            .create_user(NewUser {
                username: "sup".into(),
                display_name: "主管".into(),
                password_hash: "h".into(),
                roles: vec!["supervisor".into()],
                agent_id: None,
            })
            .await
            .unwrap();
        let session = Session {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: user.id.clone(),
            token_hash: "a".repeat(64),
            created_at: T0,
            expires_at: T0 + 3_600_000,
            ip: Some("10.0.0.7".into()),
            last_seen_at: T0,
            password_change_required: false,
            enrolment_required: false,
        };
        t.create_session(&session).await.unwrap();
        let other = Session {
            id: uuid::Uuid::now_v7().to_string(),
            token_hash: "b".repeat(64),
            ip: None,
            expires_at: T0 + 10,
            ..session.clone()
        };
        t.create_session(&other).await.unwrap();
        assert_conflict(
            t.create_session(&Session {
                id: "dup".into(),
                ..session.clone()
            })
            .await,
            "session",
            "dup",
        );

        let (s, u) = t
            .session_by_token_hash(&session.token_hash, T0 + 1000, T0 - 1)
            .await
            .unwrap()
            .expect("live session");
        assert_eq!((s, u), (session.clone(), user.clone()));
        // Idle since before its last use: gone until used again.
        assert_eq!(t.session_by_token_hash(&session.token_hash, T0 + 1000, T0).await.unwrap(), None);
        t.touch_session(&session.id, T0 + 500).await.unwrap();
        assert!(t.session_by_token_hash(&session.token_hash, T0 + 1000, T0).await.unwrap().is_some());
        t.touch_session(&session.id, T0).await.unwrap();
        assert_eq!(t.sessions_of_user(&user.id, T0 + 20).await.unwrap().len(), 1, "the other one has ended");
        assert_eq!(
            t.session_by_token_hash(&session.token_hash, T0 + 3_600_000, T0 - 1)
                .await
                .unwrap(),
            None,
            "expired"
        );
        assert_eq!(t.session_by_token_hash("c", T0, T0 - 1).await.unwrap(), None);
        assert_eq!(
            t.session_by_token_hash(&other.token_hash, T0, T0 - 1)
                .await
                .unwrap()
                .map(|(s, _)| s),
            Some(other.clone())
        );

        // A disabled user's sessions stop working.
        t.update_user(&hotline_store::User {
            enabled: false,
            ..user.clone()
        })
        .await
        .unwrap();
        assert_eq!(
            t.session_by_token_hash(&session.token_hash, T0 + 1000, T0 - 1)
                .await
                .unwrap(),
            None
        );
        t.update_user(&user).await.unwrap();

        assert_eq!(t.delete_expired_sessions(T0 + 1000).await.unwrap(), 1);
        assert_eq!(
            t.session_by_token_hash(&other.token_hash, T0, T0 - 1)
                .await
                .unwrap(),
            None
        );

        t.delete_session(&session.id).await.unwrap();
        assert_eq!(
            t.session_by_token_hash(&session.token_hash, T0 + 1000, T0 - 1)
                .await
                .unwrap(),
            None
        );
        t.delete_session(&session.id)
            .await
            .expect("ending an ended session is fine");
    })
    .await;
}

use hotline_store::{NewQueueEvent, NewUser, Queue};

use crate::fixtures::{self, assert_not_found};
use crate::support::for_each_backend;

#[tokio::test]
async fn tenants_do_not_see_each_other() {
    for_each_backend(|store| async move {
        let a = fixtures::tenant(&store, "a").await;
        let b = fixtures::tenant(&store, "b").await;
        store
            .ensure_tenant("a", "renamed")
            .await
            .expect("ensure is idempotent");
        fixtures::skills(&a).await;
        let sales = fixtures::queue("sales");
        a.insert_queue(&sales).await.unwrap();
        let agent = fixtures::agent("8001");
        a.insert_agent(&agent).await.unwrap();
        let user = a
            .create_user(NewUser {
                username: "admin".into(),
                display_name: "A".into(),
                password_hash: "h".into(),
                roles: vec![],
                agent_id: None,
            })
            .await
            .unwrap();
        a.insert_customer(&fixtures::customer("王建国", "13800138000"))
            .await
            .unwrap();
        a.append_queue_events(&[NewQueueEvent {
            at: 1,
            interaction_id: None,
            queue_id: Some("sales".into()),
            agent_id: None,
            event: "ENTERQUEUE".into(),
            data: vec![],
        }])
        .await
        .unwrap();

        assert_eq!(b.queue("sales").await.unwrap(), None);
        assert!(b.list_queues().await.unwrap().is_empty());
        assert!(b.list_skills().await.unwrap().is_empty());
        assert_eq!(b.agent(&agent.id).await.unwrap(), None);
        assert_eq!(b.agent_by_extension("8001").await.unwrap(), None);
        assert_eq!(b.user(&user.id).await.unwrap(), None);
        assert_eq!(b.user_by_username("admin").await.unwrap(), None);
        assert_eq!(b.customer_by_phone("13800138000").await.unwrap(), None);
        assert!(b.list_customers(None, 10, 0).await.unwrap().is_empty());
        assert!(b.list_queue_events(0, 10).await.unwrap().is_empty());
        assert_not_found(b.update_queue(&sales).await, "queue", "sales");

        // The same ids, names and numbers are free in another tenant.
        let b_sales = Queue {
            name: "B 的售前".into(),
            steps: vec![],
            ..fixtures::queue("sales")
        };
        b.insert_queue(&b_sales).await.unwrap();
        b.create_user(NewUser {
            username: "admin".into(),
            display_name: "B".into(),
            password_hash: "h".into(),
            roles: vec![],
            agent_id: None,
        })
        .await
        .unwrap();
        b.insert_customer(&fixtures::customer("李秀英", "13800138000"))
            .await
            .unwrap();
        assert_eq!(a.queue("sales").await.unwrap(), Some(sales));
        assert_eq!(b.queue("sales").await.unwrap(), Some(b_sales));
        assert_eq!(
            a.customer_by_phone("13800138000")
                .await
                .unwrap()
                .unwrap()
                .name,
            "王建国"
        );
        assert_eq!(
            b.customer_by_phone("13800138000")
                .await
                .unwrap()
                .unwrap()
                .name,
            "李秀英"
        );

        // An agent of tenant B cannot use tenant A's skills.
        assert!(b
            .insert_agent(&fixtures::agent("8001"))
            .await
            .unwrap_err()
            .is_foreign_key_violation());
        // Nothing is written for a tenant that does not exist.
        let ghost = store.tenant("ghost");
        assert_eq!(ghost.tenant_id(), "ghost");
        assert!(ghost
            .insert_queue(&fixtures::queue("x"))
            .await
            .unwrap_err()
            .is_foreign_key_violation());
    })
    .await;
}

use hotline_store::Customer;

use crate::fixtures::{self, assert_conflict, assert_not_found, T0};
use crate::support::for_each_backend;

#[tokio::test]
async fn customers_are_found_by_phone() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let wang = Customer {
            phones: vec!["138 0013 8000".into(), "010-6552-9988".into()],
            ..fixtures::customer("王建国", "x")
        };
        let li = Customer {
            email: None,
            tier: 3,
            tags: vec![],
            created_at: T0 + 1,
            ..fixtures::customer("李秀英", "13900139000")
        };
        t.insert_customer(&wang).await.unwrap();
        t.insert_customer(&li).await.unwrap();

        assert_eq!(
            t.customer(&wang.id).await.unwrap(),
            Some(wang.clone()),
            "phones are kept as entered"
        );
        assert_eq!(
            t.customer_by_phone("13800138000").await.unwrap(),
            Some(wang.clone())
        );
        assert_eq!(
            t.customer_by_phone("01065529988").await.unwrap(),
            Some(wang.clone())
        );
        assert_eq!(
            t.customer_by_phone("139-0013-9000").await.unwrap(),
            Some(li.clone())
        );
        assert_eq!(t.customer_by_phone("13700000000").await.unwrap(), None);
        assert_eq!(t.customer("nobody").await.unwrap(), None);

        // A number belongs to one customer.
        let dup = Customer {
            phones: vec!["13900139000".into()],
            ..fixtures::customer("赵六", "y")
        };
        assert_conflict(
            t.insert_customer(&dup).await,
            "customer phone",
            "13900139000",
        );
        assert_eq!(t.customer(&dup.id).await.unwrap(), None, "rolled back");
        assert_conflict(t.insert_customer(&li).await, "customer", &li.id);

        // Updating re-indexes the phones.
        let mut moved = wang.clone();
        moved.phones = vec!["13600136000".into()];
        moved.tier = 1;
        moved.tags = vec!["vip".into()];
        moved.email = None;
        moved.updated_at = T0 + 50;
        t.update_customer(&moved).await.unwrap();
        assert_eq!(t.customer(&wang.id).await.unwrap(), Some(moved.clone()));
        assert_eq!(t.customer_by_phone("13800138000").await.unwrap(), None);
        assert_eq!(
            t.customer_by_phone("13600136000").await.unwrap(),
            Some(moved.clone())
        );
        assert_conflict(
            t.update_customer(&Customer {
                phones: vec!["13900139000".into()],
                ..moved.clone()
            })
            .await,
            "customer phone",
            "13900139000",
        );
        assert_eq!(
            t.customer_by_phone("13600136000").await.unwrap(),
            Some(moved.clone()),
            "the failed update changed nothing"
        );
        let ghost = fixtures::customer("无名", "13100131000");
        assert_not_found(t.update_customer(&ghost).await, "customer", &ghost.id);

        let bad = Customer {
            tier: 4,
            ..fixtures::customer("钱七", "13500135000")
        };
        assert!(
            t.insert_customer(&bad)
                .await
                .unwrap_err()
                .is_check_violation(),
            "tier is 0–3"
        );
    })
    .await;
}

#[tokio::test]
async fn customers_are_listed_and_searched() {
    for_each_backend(|store| async move {
        let t = fixtures::tenant(&store, "acme").await;
        let mut all = Vec::new();
        for (i, (name, email)) in [
            ("王建国", Some("Wang.JianGuo@Example.com")),
            ("李秀英", None),
            ("王丽华", Some("lihua@example.cn")),
            ("50%_off", None),
        ]
        .into_iter()
        .enumerate()
        {
            let c = Customer {
                email: email.map(str::to_owned),
                created_at: T0 + i as i64,
                ..fixtures::customer(name, &format!("1380013800{i}"))
            };
            t.insert_customer(&c).await.unwrap();
            all.push(c);
        }
        assert_eq!(t.list_customers(None, 100, 0).await.unwrap(), all);
        assert_eq!(t.list_customers(Some("  "), 2, 1).await.unwrap(), all[1..3]);
        assert_eq!(
            t.list_customers(Some("王"), 10, 0).await.unwrap(),
            vec![all[0].clone(), all[2].clone()]
        );
        assert_eq!(
            t.list_customers(Some("王"), 1, 1).await.unwrap(),
            vec![all[2].clone()]
        );
        assert_eq!(
            t.list_customers(Some("wang.jianguo"), 10, 0).await.unwrap(),
            vec![all[0].clone()],
            "e-mail, ignoring case"
        );
        assert_eq!(
            t.list_customers(Some("138-0013-8001"), 10, 0)
                .await
                .unwrap(),
            vec![all[1].clone()],
            "phone"
        );
        assert_eq!(
            t.list_customers(Some("%"), 10, 0).await.unwrap(),
            vec![all[3].clone()],
            "wildcards are literal"
        );
        assert_eq!(
            t.list_customers(Some("_"), 10, 0).await.unwrap(),
            vec![all[3].clone()]
        );
        assert!(t
            .list_customers(Some("nobody"), 10, 0)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}

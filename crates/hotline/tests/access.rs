//! The role matrix: every route of the OpenAPI document states its rule in
//! its `security` (where the handler declares it), and every route is
//! called without a session and as every role — 401, 403 or let through,
//! exactly as the table says — before any body is read (an agent posting a
//! malformed queue gets 403, not a schema error). Routes that act for one
//! agent let that agent through and refuse the others.

mod common;

use common::Server;
use hotline_api::access::{Rule, Table};
use reqwest::Method;
use serde_json::{json, Value};

const ROLES: [(&str, &str); 5] = [("admin", "admin"), ("supervisor", "supervisor"), ("agent", "agent1"), ("qa", "qa"), ("auditor", "auditor")];

fn allowed(rule: &Rule, role: &str, own: bool, path: &str) -> bool {
    let has = |roles: &[hotline_api::auth::Role]| roles.iter().any(|r| format!("{r:?}").to_lowercase() == role);
    if role == "display" {
        // A wall display: routes naming it, and the few open ones the board needs.
        return match rule {
            Rule::Public => true,
            Rule::Roles(r) | Rule::OwnAgentOr(r) => has(r),
            Rule::SignedIn | Rule::SignedInOrTicket => hotline_api::access::DISPLAY_ROUTES.contains(&path),
            Rule::Agent => false,
        };
    }
    match rule {
        Rule::Public | Rule::SignedIn | Rule::SignedInOrTicket => true,
        Rule::Roles(r) => has(r),
        Rule::OwnAgentOr(r) => has(r) || (own && role == "agent"),
        Rule::Agent => role == "agent",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_enforces_its_rule_for_every_role() {
    let s = Server::start(common::Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let doc = s.get_json("/api/v1/openapi.json", &admin).await;
    let agents = s.get_json("/api/v1/agents", &admin).await;
    let agent_id = |ext: &str| agents.as_array().unwrap().iter().find(|a| a["extension"] == ext).unwrap()["id"].as_str().unwrap().to_owned();
    let (own, other) = (agent_id("8001"), agent_id("8002"));

    // Every route of the served document states a rule the server reads.
    let (table, unreadable) = Table::from_document(&doc);
    assert!(unreadable.is_empty(), "routes without an access rule: {unreadable:#?}");
    let mut routes: Vec<_> = table.iter().collect();
    routes.sort_by_key(|(m, p, _)| (*p, *m));
    assert!(routes.len() >= 70, "the document lists {} routes", routes.len());

    let mut tokens = Vec::new();
    for (role, user) in ROLES {
        tokens.push((role, s.login(user, "demo").await));
    }
    // A wall display's read-only token walks every route too.
    let display = s.post_json("/api/v1/displays", Some(&admin), json!({"name": "3F wallboard"})).await;
    assert_eq!(display.status(), 201);
    let display_token = display.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let mut wrong = Vec::new();
    for (method, path, rule) in routes {
        if path == "/api/v1/auth/logout" {
            continue; // walked below, with sessions of its own
        }
        let concrete = path.replace("{id}", &other).replace("{contact}", "c-none").replace("{number}", "1000").replace("{token}", "t-none")
            .replace("{version}", "1").replace("{name}", "p-none").replace("{ip}", "192.0.2.1").replace("{username}", "nobody");
        let method: Method = method.parse().unwrap();
        let body = (method != Method::GET && method != Method::DELETE).then(|| json!({"not": "a valid body"}));
        // What the access layer said: 401, 403 `forbidden`, or let through
        // (a handler's own refusals, with codes of their own, count as through).
        let verdict = |r: reqwest::Response| async move {
            let status = r.status().as_u16();
            let code = r.json::<Value>().await.ok().and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
            let said = match (status, code.as_deref()) {
                (401, _) => "401",
                (403, Some("forbidden")) => "403",
                _ => "through",
            };
            (status, said)
        };
        let (anonymous, said) = verdict(s.req(method.clone(), &concrete, None, body.clone()).await).await;
        let want_anonymous = if *rule == Rule::Public { "through" } else { "401" };
        if said != want_anonymous {
            wrong.push(format!("{method} {path} without a session: {anonymous}, want {want_anonymous}"));
        }
        for (role, token) in tokens.iter().map(|(r, t)| (*r, t.as_str())).chain([("display", display_token.as_str())]) {
            let (status, said) = verdict(s.req(method.clone(), &concrete, Some(token), body.clone()).await).await;
            let want = if allowed(rule, role, false, path) { "through" } else { "403" };
            if said != want {
                wrong.push(format!("{method} {path} as {role}: {status}, want {want}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");

    // Acting for oneself: the agent's own id goes through.
    let agent = &tokens[2].1;
    for path in [format!("/api/v1/agents/{own}/state"), format!("/api/v1/agents/{other}/state")] {
        let status = s.get(&path, Some(agent)).await.status().as_u16();
        let want = if path.contains(&own) { 200 } else { 403 };
        assert_eq!(status, want, "GET {path} as agent1");
    }
    // The body is never read for a caller who may not send it.
    let r = s.post_json("/api/v1/queues", Some(agent), json!({"id": 7})).await;
    common::assert_error(r, 403, "forbidden", None).await;
    // Signing out ends the session; everyone may.
    for (role, user) in ROLES {
        let token = s.login(user, "demo").await;
        assert_eq!(s.post_json("/api/v1/auth/logout", Some(&token), json!({})).await.status(), 204, "{role} signs out");
        assert_eq!(s.get("/api/v1/me", Some(&token)).await.status(), 401, "{role}'s session is over");
    }
    assert_eq!(s.post_json("/api/v1/auth/logout", None, json!({})).await.status(), 401);
    // Tokens are not taken from URLs.
    assert_eq!(s.get(&format!("/api/v1/me?access_token={admin}"), None).await.status(), 401);
    let me: Value = s.get_json("/api/v1/me", &admin).await;
    assert_eq!(me["username"], "admin");
    s.stop().await;
}

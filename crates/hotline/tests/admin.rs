//! What the admin console relies on: two admins editing one object cannot
//! overwrite each other (ETag / If-Match, 412 with what changed), and every
//! change is audited with its fields before and after, findable by object,
//! kind of object and user — on SQLite and on PostgreSQL.

mod common;

use common::{assert_error, Db, Server};
use reqwest::Method;
use serde_json::{json, Value};

async fn patch(s: &Server, token: &str, path: &str, etag: Option<&str>, body: Value) -> reqwest::Response {
    let mut b = s.http.patch(format!("{}{path}", s.base)).bearer_auth(token).json(&body);
    if let Some(tag) = etag {
        b = b.header("if-match", tag);
    }
    b.send().await.unwrap()
}

async fn etag_of(s: &Server, token: &str, path: &str) -> String {
    let r = s.get(path, Some(token)).await;
    assert_eq!(r.status(), 200, "GET {path}");
    r.headers().get("etag").expect("an ETag").to_str().unwrap().to_owned()
}

async fn audit(s: &Server, token: &str, query: &str) -> Vec<Value> {
    s.get_json(&format!("/api/v1/audit?{query}"), token).await.as_array().unwrap().clone()
}

async fn stale_writes_are_refused_and_changes_audited(db: Db) {
    let s = Server::start(db).await;
    let first = s.login("admin", "demo").await;
    let second = s.login("admin", "demo").await;

    // Both admins open the sales queue.
    let seen_by_first = etag_of(&s, &first, "/api/v1/queues/sales").await;
    let seen_by_second = etag_of(&s, &second, "/api/v1/queues/sales").await;
    assert_eq!(seen_by_first, seen_by_second);

    // The first saves: accepted, with the new version's tag.
    let r = patch(&s, &first, "/api/v1/queues/sales", Some(&seen_by_first), json!({"wrap_up_secs": 45})).await;
    assert_eq!(r.status(), 200);
    let new_tag = r.headers().get("etag").expect("the new version's tag").to_str().unwrap().to_owned();
    assert_ne!(new_tag, seen_by_first);

    // The second saves over the version they saw: refused, told what changed.
    let r = patch(&s, &second, "/api/v1/queues/sales", Some(&seen_by_second), json!({"name": "Sales (second)"})).await;
    assert_eq!(r.headers().get("etag").map(|v| v.to_str().unwrap().to_owned()), Some(new_tag.clone()));
    let body = assert_error(r, 412, "precondition_failed", None).await;
    let changed = &body["error"]["changed"];
    assert_eq!(changed.as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(changed[0]["field"], "wrap_up_secs");
    assert_eq!(changed[0]["after"], 45);
    let q = s.get_json("/api/v1/queues/sales", &first).await;
    assert_eq!(q["wrap_up_secs"], 45);
    assert_ne!(q["name"], "Sales (second)", "nothing of the stale write landed");

    // Loaded again, the second admin's save goes through.
    let r = patch(&s, &second, "/api/v1/queues/sales", Some(&new_tag), json!({"name": "Sales (second)"})).await;
    assert_eq!(r.status(), 200);
    // A script without If-Match still may (HTTP leaves it optional).
    assert_eq!(patch(&s, &second, "/api/v1/queues/sales", None, json!({"wrap_up_secs": 15})).await.status(), 200);

    // Agents work the same way.
    let agents = s.get_json("/api/v1/agents", &first).await;
    let id = agents.as_array().unwrap().iter().find(|a| a["extension"] == "8001").unwrap()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/agents/{id}");
    let tag = etag_of(&s, &first, &path).await;
    assert_eq!(patch(&s, &first, &path, Some(&tag), json!({"name": "一号坐席（组长）"})).await.status(), 200);
    assert_error(patch(&s, &second, &path, Some(&tag), json!({"name": "X"})).await, 412, "precondition_failed", None).await;

    // The audit log: each change with its fields before and after, found
    // by object, by kind of object, and by user.
    let sales = audit(&s, &first, "target=sales&action=queue").await;
    assert_eq!(sales.len(), 3, "{sales:#?}");
    let detail: Value = serde_json::from_str(sales[2]["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["changed"][0]["field"], "wrap_up_secs");
    assert_eq!(detail["changed"][0]["after"], 45);
    assert!(detail["changed"][0]["before"].is_number());
    assert!(sales.iter().all(|e| e["action"] == "queue.update" && e["actor"] == "admin"));
    assert_eq!(audit(&s, &first, "action=queue.update").await.len(), 3);
    assert_eq!(audit(&s, &first, "action=agent").await.iter().filter(|e| e["target"] == id.as_str()).count(), 1);
    assert!(audit(&s, &first, "actor=supervisor&action=queue").await.is_empty());
    // Paging: older than the newest.
    let older = audit(&s, &first, &format!("action=queue&before={}", sales[0]["id"])).await;
    assert_eq!(older.len(), 2);
    // A bad parameter is named.
    let r = s.req(Method::GET, "/api/v1/audit?limit=lots", Some(&first), None).await;
    assert_error(r, 422, "invalid_field", Some("limit")).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_writes_are_refused_and_changes_audited_on_sqlite() {
    stale_writes_are_refused_and_changes_audited(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_writes_are_refused_and_changes_audited_on_postgres() {
    stale_writes_are_refused_and_changes_audited(Db::Postgres).await;
}

/// 50 agents from a CSV with two bad rows: the dry run names both (line and
/// column) and nothing is created; fixed, the file creates 50 agents whose
/// generated passwords work, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_agents_from_a_csv_with_two_bad_rows_are_created_only_once_fixed() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let mut lines = vec!["extension,name,username,skills,queues,languages".to_owned()];
    for i in 0..50 {
        lines.push(format!("{},坐席{i},seat{i},sales:{},sales;support,zh;en", 8200 + i, 1 + i % 10));
    }
    let mut bad = lines.clone();
    bad[8] = "8207,坐席7,seat7,sales:11,sales,zh".into(); // a level out of range
    bad[20] = "8019x,坐席19,seat19,sales:5,nowhere,zh".into(); // a bad extension, an unknown queue
    let before = s.get_json("/api/v1/agents", &admin).await.as_array().unwrap().len();

    for dry_run in [true, false] {
        let r = s.post_json("/api/v1/agents/import", Some(&admin), json!({"csv": bad.join("\n"), "dry_run": dry_run})).await;
        let body = assert_error(r, 422, "invalid_rows", Some("csv")).await;
        let errors: Vec<(u64, &str)> =
            body["errors"].as_array().unwrap().iter().map(|e| (e["line"].as_u64().unwrap(), e["column"].as_str().unwrap())).collect();
        assert_eq!(errors, [(9, "skills"), (21, "extension"), (21, "queues")], "{body}");
        assert!(body["error"]["message"].as_str().unwrap().starts_with("2 of 50 rows"), "{body}");
    }
    assert_eq!(s.get_json("/api/v1/agents", &admin).await.as_array().unwrap().len(), before, "nothing created");

    let r = s.post_json("/api/v1/agents/import", Some(&admin), json!({"csv": lines.join("\n"), "dry_run": true})).await;
    assert_eq!(r.status(), 200);
    let dry: Value = r.json().await.unwrap();
    assert_eq!((dry["rows"].as_u64(), dry["created"].as_array().map(Vec::len)), (Some(50), Some(0)));
    assert_eq!(s.get_json("/api/v1/agents", &admin).await.as_array().unwrap().len(), before, "a dry run creates nothing");

    let r = s.post_json("/api/v1/agents/import", Some(&admin), json!({"csv": lines.join("\n")})).await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    let created = done["created"].as_array().unwrap();
    assert_eq!(created.len(), 50);
    assert_eq!(s.get_json("/api/v1/agents", &admin).await.as_array().unwrap().len(), before + 50);
    // A generated password signs in; the agent has their own record.
    let seat = &created[7];
    let token = s.login(seat["username"].as_str().unwrap(), seat["password"].as_str().unwrap()).await;
    let me = s.get_json("/api/v1/me", &token).await;
    assert_eq!(me["agent_id"], seat["agent_id"]);
    assert_eq!(me["roles"], json!(["agent"]));
    // The same file again: every extension and user name is taken now.
    let r = s.post_json("/api/v1/agents/import", Some(&admin), json!({"csv": lines.join("\n"), "dry_run": true})).await;
    let body = assert_error(r, 422, "invalid_rows", Some("csv")).await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 100);
    // Only admins import.
    let sup = s.login("supervisor", "demo").await;
    let r = s.post_json("/api/v1/agents/import", Some(&sup), json!({"csv": lines.join("\n")})).await;
    assert_error(r, 403, "forbidden", None).await;
    // The import is audited, without the passwords.
    let audit = s.get_json("/api/v1/audit?action=agent.import", &admin).await;
    assert_eq!(audit.as_array().unwrap().len(), 1);
    assert!(!audit[0]["detail"].as_str().unwrap().contains(seat["password"].as_str().unwrap()));
    s.stop().await;
}

/// The designer's server side: a draft's problems by node and field, the
/// simulator running the real interpreter, and a stale save of a flow
/// refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_designer_validates_and_simulates_drafts_and_refuses_stale_saves() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let draft = json!({"id": "d", "start": "m", "nodes": {
        "m": {"type": "menu", "prompt": "tts:cmn:售后请按2", "choices": {"1": "", "2": "q"}, "on_failure": "q"},
        "q": {"type": "enqueue", "queue": "support"}},
        "layout": {"m": {"x": 0, "y": 0}, "q": {"x": 0, "y": 200}}});
    let problems = s.post_json("/api/v1/ivr/validate", Some(&admin), json!({"document": draft})).await.json::<Value>().await.unwrap();
    assert_eq!(problems[0]["node"], "m", "{problems}");
    assert_eq!(problems[0]["field"], "choices.1");
    assert!(problems[0]["message"].as_str().unwrap().contains("not connected"));
    // What does not read as a flow is named too.
    let broken = json!({"document": {"id": "d", "start": "m", "nodes": {"m": {"type": "menu", "choices": {}}}}});
    let problems = s.post_json("/api/v1/ivr/validate", Some(&admin), broken).await.json::<Value>().await.unwrap();
    assert_eq!(problems[0]["node"], "m", "{problems}");

    let r = s.post_json("/api/v1/ivr/simulate", Some(&admin), json!({"document": draft, "keys": "2"})).await;
    assert_eq!(r.status(), 200);
    let sim: Value = r.json().await.unwrap();
    assert_eq!((sim["outcome"].as_str(), sim["target"].as_str()), (Some("enqueue"), Some("support")), "{sim}");
    assert_eq!(sim["path"], json!(["m", "q"]));
    assert!(sim["steps"].as_array().unwrap().iter().any(|st| st["kind"] == "play" && st["detail"] == "tts:cmn:售后请按2"));
    let r = s.post_json("/api/v1/ivr/simulate", Some(&admin), json!({"document": draft, "keys": "2x"})).await;
    assert_error(r, 422, "invalid_field", Some("keys")).await;
    // The demo flow, as published: in business hours, 1 (Chinese) then 1 (sales).
    let demo = s.get_json("/api/v1/ivr/flows/demo", &admin).await;
    let doc = demo["versions"][0]["document"].clone();
    let ten_am_beijing = 1_796_000_000_000_i64 - 1_796_000_000_000_i64 % 86_400_000 + 2 * 3_600_000;
    let r = s.post_json("/api/v1/ivr/simulate", Some(&admin), json!({"document": doc, "keys": "11", "at": ten_am_beijing})).await;
    let sim: Value = r.json().await.unwrap();
    assert_eq!(sim["target"], "sales", "{sim}");
    // A test call needs a draft without problems (the browser's SDP aside).
    let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let r = s.post_json("/api/v1/ivr/test-call", Some(&admin), json!({"document": draft, "sdp": offer})).await;
    assert_error(r, 422, "invalid_flow", Some("nodes.m.choices.1")).await;
    // Only admins and supervisors design.
    let agent = s.login("agent1", "demo").await;
    let r = s.post_json("/api/v1/ivr/simulate", Some(&agent), json!({"document": draft})).await;
    assert_error(r, 403, "forbidden", None).await;

    // Two admins save the demo flow from the same version: the second is refused.
    let tag = etag_of(&s, &admin, "/api/v1/ivr/flows/demo").await;
    let put = |tag: String, doc: Value| {
        let (s, admin) = (&s, &admin);
        async move { s.http.put(format!("{}/api/v1/ivr/flows/demo", s.base)).bearer_auth(admin).header("if-match", tag).json(&doc).send().await.unwrap() }
    };
    assert_eq!(put(tag.clone(), doc.clone()).await.status(), 201);
    assert_error(put(tag, doc).await, 412, "precondition_failed", None).await;
    s.stop().await;
}

/// Names in other languages for what admins configure: every user reads
/// them; admins set them; bad languages and unknown objects are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_names_have_labels_per_language() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let agent = s.login("agent1", "demo").await;
    let labels = s.get_json("/api/v1/labels", &agent).await;
    let find = |labels: &Value, kind: &str, id: &str| {
        labels.as_array().unwrap().iter().find(|l| l["kind"] == kind && l["id"] == id && l["lang"] == "en").map(|l| l["label"].clone())
    };
    assert_eq!(find(&labels, "queue", "support"), Some(json!("After-sales")));
    assert_eq!(find(&labels, "reason", "lunch"), Some(json!("Lunch")));
    assert_eq!(find(&labels, "wrap_up", "complaint"), Some(json!("Complaint")));

    let r = s.req(Method::PUT, "/api/v1/labels/queue/support", Some(&admin), Some(json!({"en": "Customer care"}))).await;
    assert_eq!(r.status(), 200);
    assert_eq!(find(&s.get_json("/api/v1/labels", &agent).await, "queue", "support"), Some(json!("Customer care")));
    // An empty name removes the label.
    assert_eq!(s.req(Method::PUT, "/api/v1/labels/queue/support", Some(&admin), Some(json!({"en": ""}))).await.status(), 200);
    assert_eq!(find(&s.get_json("/api/v1/labels", &agent).await, "queue", "support"), None);
    assert_error(s.req(Method::PUT, "/api/v1/labels/queue/support", Some(&admin), Some(json!({"fr": "Service"}))).await, 422, "invalid_field", Some("fr")).await;
    assert_error(s.req(Method::PUT, "/api/v1/labels/queue/nowhere", Some(&admin), Some(json!({"en": "X"}))).await, 404, "not_found", None).await;
    assert_error(s.req(Method::PUT, "/api/v1/labels/planet/sales", Some(&admin), Some(json!({"en": "X"}))).await, 404, "not_found", None).await;
    assert_error(s.req(Method::PUT, "/api/v1/labels/queue/sales", Some(&agent), Some(json!({"en": "X"}))).await, 403, "forbidden", None).await;
    s.stop().await;
}

/// Reason and wrap-up codes are added and renamed by admins; ids the system
/// sets are not taken for new codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_add_and_rename_reason_and_wrap_up_codes() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let r = s.req(Method::PUT, "/api/v1/reason-codes/coaching", Some(&admin), Some(json!({"label": "辅导", "paid": true}))).await;
    assert_eq!(r.status(), 200);
    let agent = s.login("agent1", "demo").await;
    let reasons = s.get_json("/api/v1/reason-codes", &agent).await;
    assert!(reasons.as_array().unwrap().iter().any(|c| c["id"] == "coaching" && c["label"] == "辅导" && c["paid"] == true));
    // Renaming a system reason is fine; taking a system id for a new one is not.
    assert_eq!(s.req(Method::PUT, "/api/v1/reason-codes/missed", Some(&admin), Some(json!({"label": "漏接", "paid": false}))).await.status(), 200);
    let r = s.req(Method::PUT, "/api/v1/reason-codes/unregistered", Some(&admin), Some(json!({"label": "X", "paid": false}))).await;
    assert_error(r, 422, "invalid_field", Some("id")).await;
    let r = s.req(Method::PUT, "/api/v1/wrap-up-codes/refund", Some(&admin), Some(json!({"label": "退款", "category": "Bad Category"}))).await;
    assert_error(r, 422, "invalid_field", Some("category")).await;
    let r = s.req(Method::PUT, "/api/v1/wrap-up-codes/refund", Some(&admin), Some(json!({"label": "退款", "category": "billing"}))).await;
    assert_eq!(r.status(), 200);
    assert!(s.get_json("/api/v1/wrap-up-codes", &agent).await.as_array().unwrap().iter().any(|c| c["id"] == "refund"));
    let r = s.req(Method::PUT, "/api/v1/wrap-up-codes/refund", Some(&agent), Some(json!({"label": "X", "category": "billing"}))).await;
    assert_error(r, 403, "forbidden", None).await;
    s.stop().await;
}

/// Spoken text previewed as a caller hears it: an 8 kHz WAV; bad text and
/// voices refused by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spoken_text_is_previewed_as_an_8k_wav() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let r = s.post_json("/api/v1/prompts/speak", Some(&admin), json!({"text": "您好，欢迎致电。", "voice": "cmn"})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "audio/wav");
    let wav = r.bytes().await.unwrap();
    assert_eq!(&wav[..4], b"RIFF");
    assert_eq!(u32::from_le_bytes([wav[24], wav[25], wav[26], wav[27]]), 8000, "the rate calls play at");
    assert!(wav.len() > 44 + 8000, "at least half a second of speech: {} bytes", wav.len());
    let r = s.post_json("/api/v1/prompts/speak", Some(&admin), json!({"text": "  ", "voice": "cmn"})).await;
    assert_error(r, 422, "invalid_field", Some("text")).await;
    let r = s.post_json("/api/v1/prompts/speak", Some(&admin), json!({"text": "hi", "voice": "klingon"})).await;
    assert_error(r, 422, "invalid_field", Some("voice")).await;
    s.stop().await;
}

/// An admin adds a user and resets a password: each generated, shown once,
/// and good for one sign-in that may only change it; a reset ends the
/// user's sessions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_passwords_sign_in_once_to_be_changed() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let r = s.post_json("/api/v1/users", Some(&admin), json!({"username": "lead1", "display_name": "组长一", "roles": ["supervisor"]})).await;
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    let password = made["password"].as_str().unwrap().to_owned();
    assert_eq!(made["user"]["roles"], json!(["supervisor"]));
    let token = s.login("lead1", &password).await;
    assert_eq!(s.get("/api/v1/me", Some(&token)).await.status(), 200);
    assert_error(s.get("/api/v1/queues", Some(&token)).await, 403, "password_change_required", None).await;
    let r = s.post_json("/api/v1/me/password", Some(&token), json!({"current_password": password, "new_password": "Lead-One-2026!"})).await;
    assert_eq!(r.status(), 204);
    assert_eq!(s.get("/api/v1/queues", Some(&token)).await.status(), 200, "changed, the session may work");
    let fresh = s.login("lead1", "Lead-One-2026!").await;
    assert_eq!(s.get("/api/v1/queues", Some(&fresh)).await.status(), 200, "the user's own password is not one-time");

    // A reset: the sessions end; the new password is one-time again.
    let r = s.post_json(&format!("/api/v1/users/{}/password", made["user"]["id"].as_str().unwrap()), Some(&admin), json!({})).await;
    assert_eq!(r.status(), 200);
    let reset = r.json::<Value>().await.unwrap()["password"].as_str().unwrap().to_owned();
    assert_eq!(s.get("/api/v1/me", Some(&fresh)).await.status(), 401, "a reset ends the user's sessions");
    let token = s.login("lead1", &reset).await;
    assert_error(s.get("/api/v1/queues", Some(&token)).await, 403, "password_change_required", None).await;
    let audit = s.get_json("/api/v1/audit?target=lead1", &admin).await.to_string();
    assert!(audit.contains("user.password_reset") && !audit.contains(&reset), "audited, without the password");

    // Taken names and unknown roles are refused by field.
    let r = s.post_json("/api/v1/users", Some(&admin), json!({"username": "lead1", "display_name": "X", "roles": ["qa"]})).await;
    assert_error(r, 409, "conflict", Some("username")).await;
    let r = s.post_json("/api/v1/users", Some(&admin), json!({"username": "lead2", "display_name": "X", "roles": ["boss"]})).await;
    assert_error(r, 422, "invalid_field", Some("roles[0]")).await;
    s.stop().await;
}

/// Business hours kept as a calendar: edited with If-Match, holidays
/// imported from an iCalendar file, and named by a flow's schedule node —
/// the simulator goes to `closed` on an imported holiday and on a weekday
/// night, to `open` on a make-up Saturday.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendars_take_imported_holidays_and_flows_follow_them() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let tag = etag_of(&s, &admin, "/api/v1/calendars/main").await;
    let weekdays = json!({"utc_offset_minutes": 480, "open": [{"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}]});
    let put = |tag: &str, schedule: Value| {
        s.http.put(format!("{}/api/v1/calendars/main", s.base)).bearer_auth(&admin).header("if-match", tag).json(&json!({"name": "工作日", "schedule": schedule})).send()
    };
    let r = put(&tag, json!({"open": [{"days": [8], "from": "09:00", "to": "18:00"}]})).await.unwrap();
    assert_error(r, 422, "invalid_field", Some("schedule.open[0].days")).await;
    let r = put(&tag, weekdays.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_error(put(&tag, weekdays).await.unwrap(), 412, "precondition_failed", None).await;

    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261008\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260926\r\nSUMMARY:国庆节补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let r = s.http.post(format!("{}/api/v1/calendars/main/import", s.base)).bearer_auth(&admin).header("content-type", "text/calendar").body(ics).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!((report["holidays_added"].as_u64(), report["workdays_added"].as_u64()), (Some(7), Some(1)), "{report}");
    let r = s.http.post(format!("{}/api/v1/calendars/main/import", s.base)).bearer_auth(&admin).body("not a calendar").send().await.unwrap();
    assert_error(r, 422, "invalid_field", Some("file")).await;

    let flow = json!({"id": "cal", "start": "hours", "nodes": {
        "hours": {"type": "schedule", "calendar": "main", "open": "in", "closed": "out"},
        "in": {"type": "enqueue", "queue": "sales"},
        "out": {"type": "hangup"}}});
    // Beijing time: 2026-10-02 (a holiday, Friday) 10:00; 2026-10-05 (Monday, holiday);
    // 2026-09-26 (Saturday, make-up day) 10:00; 2026-09-28 (Monday) 20:00 and 10:00.
    let at = |y_m_d: (i64, i64, i64), hour: i64| {
        let days = hotline_calendar::days_from_civil(y_m_d.0, y_m_d.1 as u32, y_m_d.2 as u32);
        (days * 86_400 + (hour - 8) * 3_600) * 1000
    };
    let went = |when: i64| {
        let (s, admin, flow) = (&s, &admin, &flow);
        async move {
            let r = s.post_json("/api/v1/ivr/simulate", Some(admin), json!({"document": flow, "at": when})).await;
            let v: Value = r.json().await.unwrap();
            v["outcome"].as_str().unwrap_or("?").to_owned()
        }
    };
    assert_eq!(went(at((2026, 10, 2), 10)).await, "hangup", "a holiday");
    assert_eq!(went(at((2026, 9, 26), 10)).await, "enqueue", "a make-up Saturday");
    assert_eq!(went(at((2026, 9, 28), 20)).await, "hangup", "a weekday night");
    assert_eq!(went(at((2026, 9, 28), 10)).await, "enqueue", "a weekday morning");
    // A calendar the center does not have is named on its node.
    let mut other = flow.clone();
    other["nodes"]["hours"]["calendar"] = json!("nowhere");
    let problems = s.post_json("/api/v1/ivr/validate", Some(&admin), json!({"document": other})).await.json::<Value>().await.unwrap();
    assert_eq!((problems[0]["node"].as_str(), problems[0]["field"].as_str()), (Some("hours"), Some("calendar")), "{problems}");
    s.stop().await;
}

/// Run-time settings: who sees numbers in full changes at once for every
/// session; stale saves and unknown roles are refused; the configuration is
/// shown read-only, without secrets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_sees_numbers_in_full_is_a_setting_that_applies_at_once() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let agent = s.login("agent1", "demo").await;
    let phone_seen = |token: String| {
        let s = &s;
        async move { s.get_json("/api/v1/customers?q=138&limit=1", &token).await[0]["phones"][0].as_str().unwrap().to_owned() }
    };
    assert!(phone_seen(agent.clone()).await.contains("****"), "masked for agents by default");
    let r = s.get("/api/v1/settings", Some(&agent)).await;
    let tag = r.headers()["etag"].to_str().unwrap().to_owned();
    let mut settings: Value = r.json().await.unwrap();
    assert_eq!(settings["unmasked_roles"], json!(["admin", "supervisor"]));
    settings["unmasked_roles"] = json!(["admin", "supervisor", "agent"]);
    settings["center_name"] = json!("12345 市民服务热线");
    let put = |tag: &str, body: &Value| s.http.put(format!("{}/api/v1/settings", s.base)).bearer_auth(&admin).header("if-match", tag).json(body).send();
    let r = put(&tag, &settings).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(!phone_seen(agent.clone()).await.contains("****"), "the agent's next request shows numbers in full");
    assert_error(put(&tag, &settings).await.unwrap(), 412, "precondition_failed", None).await;
    let fresh = s.get("/api/v1/settings", Some(&admin)).await.headers()["etag"].to_str().unwrap().to_owned();
    settings["unmasked_roles"] = json!(["boss"]);
    assert_error(put(&fresh, &settings).await.unwrap(), 422, "invalid_field", Some("unmasked_roles[0]")).await;
    let r = s.req(Method::PUT, "/api/v1/settings", Some(&agent), Some(settings.clone())).await;
    assert_error(r, 403, "forbidden", None).await;
    // Audited, and kept across a restart.
    let audit = s.get_json("/api/v1/audit?action=settings.update", &admin).await.to_string();
    assert!(audit.contains("unmasked_roles"), "{audit}");
    let config = s.get_json("/api/v1/settings/config", &admin).await;
    assert_eq!(config["database"]["backend"], "SQLite");
    assert!(!config.to_string().to_lowercase().contains("password"), "{config}");
    let (dir, url, pg) = s.stop().await;
    let s = Server::start_with(dir, url, pg).await;
    let admin = s.login("admin", "demo").await;
    assert_eq!(s.get_json("/api/v1/settings", &admin).await["center_name"], "12345 市民服务热线");
    s.stop().await;
}

/// Teams: listed with their sizes; an agent moves to another team (by a
/// supervisor too), and an unknown team is refused by field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_move_between_teams() {
    let s = Server::start(Db::Sqlite).await;
    let admin = s.login("admin", "demo").await;
    let sup = s.login("supervisor", "demo").await;
    let teams = s.get_json("/api/v1/teams", &sup).await;
    assert_eq!(teams.as_array().unwrap().iter().map(|t| (t["id"].as_str().unwrap(), t["members"].as_u64().unwrap())).collect::<Vec<_>>(), [("team_a", 3), ("team_b", 3)]);
    let r = s.req(Method::PUT, "/api/v1/teams/night", Some(&admin), Some(json!({"name": "夜班"}))).await;
    assert_eq!(r.status(), 200);
    let agents = s.get_json("/api/v1/agents", &sup).await;
    let a = agents.as_array().unwrap().iter().find(|a| a["extension"] == "8001").unwrap().clone();
    assert_eq!(a["team"], "team_a");
    let path = format!("/api/v1/agents/{}", a["id"].as_str().unwrap());
    assert_eq!(s.req(Method::PATCH, &path, Some(&sup), Some(json!({"team": "night"}))).await.status(), 200);
    assert_eq!(s.get_json(&path, &sup).await["team"], "night");
    assert_error(s.req(Method::PATCH, &path, Some(&sup), Some(json!({"team": "mars"}))).await, 422, "invalid_field", Some("team")).await;
    assert_eq!(s.req(Method::PATCH, &path, Some(&admin), Some(json!({"team": ""}))).await.status(), 200);
    assert!(s.get_json(&path, &sup).await["team"].is_null());
    s.stop().await;
}

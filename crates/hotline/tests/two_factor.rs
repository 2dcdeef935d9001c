//! Two-factor sign-in (TOTP): enrolment with a QR code and a first code,
//! sign-in that needs a code (never the same one twice) or a single-use
//! recovery code, and roles the center requires it for, whose users may do
//! nothing but set it up until they have.

mod common;

use common::Server;
use hotline_api::totp::code_at;
use serde_json::{json, Value};

fn unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

async fn enrol(s: &Server, token: &str) -> (String, Vec<String>) {
    let e = s.post_json("/api/v1/me/totp", Some(token), json!({})).await;
    assert_eq!(e.status(), 200);
    let e: Value = e.json().await.unwrap();
    let secret = e["secret"].as_str().unwrap().to_owned();
    assert!(e["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Hotline:"), "{e}");
    assert!(e["qr_svg"].as_str().unwrap().contains("<svg"), "a QR code to scan");
    let r = s.post_json("/api/v1/me/totp/confirm", Some(token), json!({"code": wrong_code(&secret)})).await;
    common::assert_error(r, 422, "invalid_field", Some("code")).await;
    let r = s.post_json("/api/v1/me/totp/confirm", Some(token), json!({"code": code_at(&secret, unix()).unwrap()})).await;
    assert_eq!(r.status(), 200);
    let codes: Vec<String> = r.json::<Value>().await.unwrap()["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Six digits that are none of the codes accepted now.
fn wrong_code(secret: &str) -> String {
    let now = unix();
    let accepted: Vec<String> = [now - 30, now, now + 30, now + 60].iter().map(|t| code_at(secret, *t).unwrap()).collect();
    (0..).map(|n| format!("{n:06}")).find(|c| !accepted.contains(c)).unwrap()
}

async fn login(s: &Server, user: &str, otp: Option<&str>) -> reqwest::Response {
    s.post_json("/api/v1/auth/login", None, json!({"username": user, "password": "demo", "otp": otp})).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_a_second_factor_and_recovery_codes() {
    let s = Server::start(common::Db::Sqlite).await;
    let agent = s.login("agent3", "demo").await;
    let (secret, recovery) = enrol(&s, &agent).await;

    let r = login(&s, "agent3", None).await;
    common::assert_error(r, 401, "second_factor_required", Some("otp")).await;
    let r = login(&s, "agent3", Some(&wrong_code(&secret))).await;
    common::assert_error(r, 401, "bad_credentials", Some("otp")).await;
    // The next step's code (one step of drift is allowed) signs in once.
    let next = code_at(&secret, unix() + 30).unwrap();
    assert_eq!(login(&s, "agent3", Some(&next)).await.status(), 200);
    common::assert_error(login(&s, "agent3", Some(&next)).await, 401, "bad_credentials", Some("otp")).await;
    // A recovery code signs in once, whatever its case.
    assert_eq!(login(&s, "agent3", Some(&recovery[0].to_uppercase())).await.status(), 200);
    common::assert_error(login(&s, "agent3", Some(&recovery[0])).await, 401, "bad_credentials", Some("otp")).await;
    let admin = s.login("admin", "demo").await;
    let audit = s.get_json("/api/v1/audit", &admin).await.to_string();
    assert!(audit.contains("totp.enable") && audit.contains("login.recovery_code"), "{audit}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_requires_it_sets_it_up_before_anything_else() {
    let s = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.auth.totp_required_roles = vec!["supervisor".into()];
    })
    .await;
    let r = login(&s, "supervisor", None).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["second_factor_enrolment_required"], true, "{body}");
    let sup = body["token"].as_str().unwrap().to_owned();
    common::assert_error(s.get("/api/v1/agent-states", Some(&sup)).await, 403, "second_factor_required", None).await;
    let (secret, _) = enrol(&s, &sup).await;
    assert_eq!(s.get("/api/v1/agent-states", Some(&sup)).await.status(), 200, "set up: the session works");
    // It may not be turned off by its user.
    let r = s.req(reqwest::Method::DELETE, "/api/v1/me/totp", Some(&sup), Some(json!({"code": code_at(&secret, unix() + 30).unwrap()}))).await;
    assert_eq!(r.status(), 409);
    // Other roles are not asked.
    let agent: Value = login(&s, "agent1", None).await.json().await.unwrap();
    assert_eq!(agent["second_factor_enrolment_required"], false);
    s.stop().await;
}

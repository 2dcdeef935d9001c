//! The `hotline` command line: configuration errors stop it with file and line.

use std::process::Command;

fn hotline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hotline"));
    c.env_remove("HOTLINE_LOG");
    c
}

#[test]
fn config_check_accepts_a_good_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("hotline.toml");
    std::fs::write(&f, "[server]\nhttp_listen = \"127.0.0.1:9999\"\n[database]\nurl = \"postgres://u:secret@db/x\"\n").unwrap();
    let out = hotline().args(["config", "check"]).arg(&f).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("ok") && stdout.contains("127.0.0.1:9999"), "{stdout}");
    assert!(!stdout.contains("secret"), "password printed: {stdout}");
}

#[test]
fn config_check_reports_file_line_and_allowed_values() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "[server]\nhttp_listen = \"127.0.0.1:8080\"\n\n[log]\nformat = \"yaml\"\n").unwrap();
    let out = hotline().args(["config", "check"]).arg(&f).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{}:5:10: unknown variant `yaml`, expected `text` or `json`", f.display())), "{stderr}");
}

#[test]
fn serve_refuses_a_bad_environment_value_before_touching_anything() {
    let dir = tempfile::tempdir().unwrap();
    let out = hotline()
        .args(["serve", "--demo", "--data"])
        .arg(dir.path())
        .env("HOTLINE_SERVER__HTTP_LISTEN", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("environment variable HOTLINE_SERVER__HTTP_LISTEN"), "{stderr}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing was created");
}

#[test]
fn migrate_creates_and_upgrades_the_database() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = hotline().args(["migrate", "--data"]).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
    }
    assert!(dir.path().join("hotline.db").exists());
}

/// On a machine without espeak-ng the server still starts, and says in one
/// line what is missing and what that disables.
#[test]
fn serve_names_missing_optional_parts_at_start() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let mut child = hotline()
        .args(["serve", "--data"])
        .arg(dir.path())
        .env("PATH", empty.path())
        .env("HOTLINE_SERVER__HTTP_LISTEN", "127.0.0.1:0")
        .env("HOTLINE_SIP__LISTEN", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    // The server prints its missing parts, then where it listens: read up to that.
    while let Some(Ok(line)) = lines.next() {
        seen.push(line.clone());
        if line.starts_with("listening on") || seen.len() > 50 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.iter().any(|l| l.starts_with("missing: espeak-ng: IVR prompts written as text")), "{seen:#?}");
}

//! Real SIP phones (baresip, installed by `.ci/run`) registering to the
//! demo center: digest authentication, ready on register, not ready when
//! the phone unregisters, and a wrong password refused.

mod common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::Server;
use serde_json::Value;

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A headless baresip with one account, its output captured in `dir/out`.
struct Phone {
    child: Child,
    dir: tempfile::TempDir,
}

impl Phone {
    fn start(extension: &str, password: &str, server_port: u16) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "sip_listen 127.0.0.1:{}\nnet_interface 127.0.0.1\naudio_player alsa,null\naudio_alert alsa,null\n\
             audio_source alsa,null\naudio_srate 8000\naudio_channels 1\nrtp_ports 42000-42999\n\
             module_path /usr/lib/baresip/modules\nmodule stdio.so\nmodule g711.so\nmodule alsa.so\n\
             module_app account.so\nmodule_app menu.so\n",
            free_udp_port()
        );
        std::fs::write(dir.path().join("config"), config).unwrap();
        let account = format!("<sip:{extension}@127.0.0.1:{server_port}>;auth_pass={password};audio_codecs=PCMU/8000/1;regint=60\n");
        std::fs::write(dir.path().join("accounts"), account).unwrap();
        let out = std::fs::File::create(dir.path().join("out")).unwrap();
        let child = Command::new("baresip")
            .arg("-f")
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("baresip is installed (apt-get install baresip-core)");
        Phone { child, dir }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("out")).unwrap_or_default()
    }

    /// Quits the way a user does: baresip unregisters on the way out.
    fn quit(mut self) -> String {
        if let Some(stdin) = self.child.stdin.as_mut() {
            let _ = stdin.write_all(b"/quit\n");
        }
        for _ in 0..50 {
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        self.output()
    }
}

impl Drop for Phone {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

async fn agent_state(s: &Server, token: &str, extension: &str) -> Value {
    let agents = s.get_json("/api/v1/agents", token).await;
    let id = agents.as_array().unwrap().iter().find(|a| a["extension"] == extension).unwrap()["id"].as_str().unwrap().to_owned();
    s.get_json(&format!("/api/v1/agents/{id}/state"), token).await
}

async fn wait_for(s: &Server, token: &str, extension: &str, status: &str) -> Value {
    for _ in 0..100 {
        let st = agent_state(s, token, extension).await;
        if st["status"] == status {
            return st;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{extension} never became {status}: {}", agent_state(s, token, extension).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_register_with_digest_and_agents_follow_their_phones() {
    let port = free_udp_port();
    let s = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{port}").parse().unwrap();
    })
    .await;
    let sup = s.login("supervisor", "demo").await;
    assert_eq!(agent_state(&s, &sup, "8001").await["status"], "logged_out");

    // 8001 registers with the demo password: ready at once (demo: ready on register).
    let phone = Phone::start("8001", "demo", port);
    wait_for(&s, &sup, "8001", "available").await;
    assert!(phone.output().contains("200 OK"), "{}", phone.output());

    // 8002 with a wrong password is refused and stays logged out.
    let intruder = Phone::start("8002", "guess", port);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(intruder.output().contains("403"), "{}", intruder.output());
    assert_eq!(agent_state(&s, &sup, "8002").await["status"], "logged_out");
    intruder.quit();

    // 8001's phone quits and unregisters: the agent is not ready, "unregistered".
    let out = phone.quit();
    let st = wait_for(&s, &sup, "8001", "not_ready").await;
    assert_eq!(st["reason"], "unregistered", "{out}");
    s.stop().await;
}

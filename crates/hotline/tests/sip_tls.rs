//! SIP over TLS with SRTP, end to end with real phones: the agent's phone
//! registers over TLS (trusting the server's self-signed certificate) and
//! requires SRTP, a caller dials the IVR over TLS with SRTP too; both hear
//! each other and the call is recorded in the clear. Audio that flows at
//! all proves the encryption both ways: each leg takes only packets that
//! pass SRTP authentication with the keys of its SDP.
//! A phone that will not encrypt is refused where SRTP is required.

mod common;
mod phones;

use std::time::Duration;

use common::Server;
use phones::{describe, dominant, free_udp_port, last, Phone, Wav};

const CALLER_HZ: u32 = 440;
const AGENT_HZ: u32 = 880;
const TONES: [f64; 2] = [CALLER_HZ as f64, AGENT_HZ as f64];

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_over_tls_with_srtp_hear_each_other_and_the_call_is_recorded() {
    let (port, tls) = (free_udp_port(), free_tcp_port());
    let s = Server::start_tuned(tempfile::tempdir().unwrap(), String::new(), None, |c| {
        c.sip.listen = format!("127.0.0.1:{port}").parse().unwrap();
        c.sip.tls_listen = format!("127.0.0.1:{tls}");
        // Agents' phones must encrypt.
        c.media.srtp_rules.push(hotline_config::SrtpRule { extensions: vec!["80*".into()], srtp: "required".into() });
    })
    .await;
    // The demo's self-signed certificate, made at start.
    let ca = s.data.path().join("tls/sip-cert.pem");
    assert!(ca.exists(), "the demo certificate at {}", ca.display());
    let admin = s.login("admin", "demo").await;
    common::route_1000_straight_to_sales(&s, &admin).await;
    let sup = s.login("supervisor", "demo").await;
    let agents = s.get_json("/api/v1/agents", &sup).await;
    let id = agents.as_array().unwrap().iter().find(|a| a["extension"] == "8001").unwrap()["id"].as_str().unwrap().to_owned();

    let agent = Phone::builder("8001").register(port, "demo").secure(tls, &ca).auto_answer().tone(AGENT_HZ).start();
    common::poll(&s, &sup, &format!("/api/v1/agents/{id}/state"), "8001 registered over TLS", 15, |st| st["status"] == "available").await;

    let caller = Phone::builder("5550100").secure(tls, &ca).tone(CALLER_HZ).start();
    caller.wait_for("baresip is ready", 10).await;
    caller.dial(&format!("sip:1000@127.0.0.1:{tls};transport=tls"));
    caller.wait_for(phones::ESTABLISHED, 10).await;
    agent.wait_for(phones::ESTABLISHED, 15).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    caller.hangup();
    caller.wait_for(phones::TERMINATED, 5).await;
    agent.wait_for(phones::SESSION_CLOSED, 10).await;
    // What the phones say of their transport and media.
    assert!(agent.raw_output().contains("{0/TLS/v4} 200 OK"), "the agent registered over TLS:\n{}", agent.output());
    for phone in [&caller, &agent] {
        assert!(phone.raw_output().contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"), "SRTP on:\n{}", phone.output());
    }

    let heard_by_caller = caller.received_audio();
    let heard_by_agent = agent.received_audio();
    eprintln!("caller heard: {}", describe(last(&heard_by_caller, 2.0, 0.3), &TONES));
    eprintln!("agent heard: {}", describe(last(&heard_by_agent, 2.0, 0.3), &TONES));
    assert_eq!(dominant(last(&heard_by_caller, 2.0, 0.3), &TONES), Some(f64::from(AGENT_HZ)), "the caller hears the agent");
    assert_eq!(dominant(last(&heard_by_agent, 2.0, 0.3), &TONES), Some(f64::from(CALLER_HZ)), "the agent hears the caller");

    // The recording holds the conversation in the clear.
    let list = common::poll(&s, &sup, "/api/v1/interactions?limit=5", "a finished call", 10, |v| v.as_array().is_some_and(|l| l.iter().any(|i| i["outcome"].is_string()))).await;
    let iid = list[0]["id"].as_str().unwrap().to_owned();
    let detail = common::poll(&s, &sup, &format!("/api/v1/interactions/{iid}"), "a finished recording", 10, |d| {
        d["recordings"].as_array().is_some_and(|r| r.len() == 1 && r[0]["sha256"].is_string())
    })
    .await;
    let rec = detail["recordings"][0]["id"].as_str().unwrap();
    let wav = Wav::parse(&s.get(&format!("/api/v1/recordings/{rec}/audio"), Some(&sup)).await.bytes().await.unwrap()).unwrap();
    assert_eq!(dominant(last(&wav.channel(0), 2.0, 0.3), &TONES), Some(f64::from(CALLER_HZ)));
    assert_eq!(dominant(last(&wav.channel(1), 2.0, 0.3), &TONES), Some(f64::from(AGENT_HZ)));

    // Garbage on the TLS port (no handshake): the connection is dropped.
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut junk = tokio::net::TcpStream::connect(("127.0.0.1", tls)).await.unwrap();
        junk.write_all(b"OPTIONS sip:x SIP/2.0\r\n\r\n").await.unwrap();
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(12), junk.read_to_end(&mut rest)).await;
        assert!(matches!(read, Ok(Ok(_)) | Ok(Err(_))), "the server closed the connection: {read:?}");
    }

    // A phone of an extension that must encrypt, offering plain RTP over UDP: refused.
    let plain = Phone::builder("8002").register(port, "demo").auto_answer().tone(AGENT_HZ).start();
    plain.wait_for("registered successfully", 10).await;
    plain.dial(&format!("sip:8001@127.0.0.1:{port}"));
    plain.wait_for("488", 10).await;
    caller.quit().await;
    agent.quit().await;
    plain.quit().await;
    s.stop().await;
}

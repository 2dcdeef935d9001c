//! The web app and API over HTTPS: the certificate from PEM files, the
//! session cookie `Secure`, plain HTTP refused on the same port, and a
//! connection that never finishes its handshake costs only itself.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;

/// One request over TLS, trusting `ca`; the whole response as text.
async fn request(addr: std::net::SocketAddr, ca: &std::path::Path, raw: &str) -> String {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions().unwrap().with_root_certificates(roots).with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut tls = connector.connect(rustls_pki_types::ServerName::try_from("localhost").unwrap(), tcp).await.expect("TLS handshake with the server's certificate");
    tls.write_all(raw.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), tls.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_serves_the_api_with_secure_cookies() {
    let data = tempfile::tempdir().unwrap();
    let (cert, key) = hotline_telephony::tls::self_signed(&data.path().join("web-tls"), &["localhost".into()]).unwrap();
    let mut config = hotline_config::Config::default();
    config.data.dir = data.path().to_owned();
    config.sip.enabled = false;
    config.server.tls_cert = cert.clone();
    config.server.tls_key = key;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(hotline::run(config, true, listener, async move {
        let _ = stopped.await;
    }));

    // A client that connects and never says anything does not block others.
    let _silent = TcpStream::connect(addr).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let health = loop {
        let r = request(addr, &cert, "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await;
        if r.starts_with("HTTP/1.1 200") || std::time::Instant::now() > deadline {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.to_ascii_lowercase().contains("content-security-policy"), "the headers are there too: {health}");

    let body = r#"{"username":"agent1","password":"demo"}"#;
    let login = request(addr, &cert, &format!("POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())).await;
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    let cookie = login.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).unwrap_or_default().to_owned();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");

    // Plain HTTP on the TLS port gets nowhere.
    let mut plain = TcpStream::connect(addr).await.unwrap();
    plain.write_all(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), plain.read_to_end(&mut out)).await;
    assert!(!String::from_utf8_lossy(&out).contains("200 OK"), "plain HTTP answered over the TLS port");

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(30), server).await;
}

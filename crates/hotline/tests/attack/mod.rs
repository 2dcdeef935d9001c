//! A stranger's tools, written for the tests (sipvicious' `-b` is ignored
//! by its 0.3 tools, so an attacker on another loopback address is
//! written here): raw SIP over UDP or TCP from any local address,
//! digest answers, and RTP sent at a port.

#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hotline_sip::auth::{authorization, Challenge};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream, UdpSocket};

/// A SIP user agent on `ip` that writes its requests by hand.
pub struct Sip {
    udp: UdpSocket,
    pub server: SocketAddr,
    pub local: SocketAddr,
    n: u32,
}

/// One response as text, with its status.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn reason(&self) -> &str {
        self.text.lines().next().and_then(|l| l.splitn(3, ' ').nth(2)).unwrap_or("")
    }
}

fn parse_answer(text: &str) -> Option<Answer> {
    let status = text.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()?;
    Some(Answer { status, text: text.to_owned() })
}

impl Sip {
    pub async fn bind(ip: &str, server: SocketAddr) -> Sip {
        let udp = UdpSocket::bind((ip.parse::<IpAddr>().unwrap(), 0)).await.unwrap_or_else(|e| panic!("bind {ip}: {e}"));
        let local = udp.local_addr().unwrap();
        Sip { udp, server, local, n: 0 }
    }

    /// A request with fresh Via branch, tags and Call-ID (unless `call_id` is given).
    pub fn request(&mut self, method: &str, uri: &str, to_user: &str, extra: &str, call_id: Option<&str>, user_agent: &str) -> (String, String) {
        self.n += 1;
        let n = self.n;
        let l = self.local;
        let call_id = call_id.map_or_else(|| format!("att{n}-{}@{}", l.port(), l.ip()), str::to_owned);
        let cseq = if method == "ACK" { 1 } else { n };
        let body = if method == "INVITE" {
            format!("v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n", ip = l.ip())
        } else {
            String::new()
        };
        let ctype = if body.is_empty() { String::new() } else { "Content-Type: application/sdp\r\n".into() };
        let text = format!(
            "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {l};branch=z9hG4bK{n}x{port}\r\nMax-Forwards: 70\r\nFrom: <sip:{to_user}@{ip}>;tag=a{n}\r\nTo: <sip:{to_user}@{server}>\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\nContact: <sip:{to_user}@{l}>\r\nUser-Agent: {user_agent}\r\n{extra}{ctype}Content-Length: {}\r\n\r\n{body}",
            body.len(),
            port = l.port(),
            ip = l.ip(),
            server = self.server,
        );
        (text, call_id)
    }

    pub fn socket(&self) -> &UdpSocket {
        &self.udp
    }

    pub async fn send(&self, text: &str) {
        self.udp.send_to(text.as_bytes(), self.server).await.expect("send");
    }

    /// The next final response to `method` in `call_id` within `secs`
    /// (provisional ones and retransmissions of others skipped).
    pub async fn answer(&self, call_id: &str, method: &str, secs: f64) -> Option<Answer> {
        let deadline = Instant::now() + Duration::from_secs_f64(secs);
        let mut buf = vec![0u8; 65536];
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let Ok(Ok((n, _))) = tokio::time::timeout(left, self.udp.recv_from(&mut buf)).await else { return None };
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if let Some(a) = parse_answer(&text) {
                let cseq_method = a.header("CSeq").and_then(|c| c.split_whitespace().nth(1)).unwrap_or("");
                if a.status >= 200 && a.header("Call-ID") == Some(call_id) && cseq_method == method {
                    return Some(a);
                }
            }
        }
    }

    /// Everything that arrives within `secs`.
    pub async fn drain(&self, secs: f64) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs_f64(secs);
        let mut buf = vec![0u8; 65536];
        let mut all = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match tokio::time::timeout(left, self.udp.recv_from(&mut buf)).await {
                Ok(Ok((n, _))) => all.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
                _ => break,
            }
        }
        all
    }

    /// Sends a request and waits for its final answer.
    pub async fn ask(&mut self, method: &str, uri: &str, user: &str, extra: &str, secs: f64) -> Option<Answer> {
        let (text, call_id) = self.request(method, uri, user, extra, None, "Desk Phone 1.0");
        self.send(&text).await;
        self.answer(&call_id, method, secs).await
    }

    /// Sends a request as a phone does over UDP (RFC 3261 timer A: again
    /// after 0.5 s, 1 s, 2 s … until something comes back) and waits for
    /// its final answer, `secs` at most.
    pub async fn exchange(&self, text: &str, call_id: &str, method: &str, secs: f64) -> Option<Answer> {
        let deadline = Instant::now() + Duration::from_secs_f64(secs);
        let mut interval = Duration::from_millis(500);
        let mut heard = false;
        let mut buf = vec![0u8; 65536];
        self.send(text).await;
        let mut resend_at = Instant::now() + interval;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            if !heard && now >= resend_at {
                self.send(text).await;
                interval *= 2;
                resend_at = now + interval;
            }
            let wait = if heard { deadline - now } else { resend_at.min(deadline) - now };
            let Ok(Ok((n, _))) = tokio::time::timeout(wait, self.udp.recv_from(&mut buf)).await else { continue };
            let Some(a) = parse_answer(&String::from_utf8_lossy(&buf[..n])) else { continue };
            let cseq_method = a.header("CSeq").and_then(|c| c.split_whitespace().nth(1)).unwrap_or("");
            if a.header("Call-ID") != Some(call_id) || cseq_method != method {
                continue;
            }
            if a.status >= 200 {
                return Some(a);
            }
            heard = true;
        }
    }

    /// An INVITE to `uri` as extension `user` with `password`: challenged
    /// first, then answered with the credentials. Returns the final answer.
    pub async fn invite_with_password(&mut self, uri: &str, user: &str, password: &str) -> Option<Answer> {
        let first = self.ask("INVITE", uri, user, "", 3.0).await?;
        if first.status != 407 {
            return Some(first);
        }
        let challenge = Challenge::parse(first.header("Proxy-Authenticate")?).ok()?;
        let cnonce = format!("c{}", self.n);
        let auth = authorization(&challenge, user, password, "INVITE", uri, &cnonce, 1);
        self.ask("INVITE", uri, user, &format!("Proxy-Authorization: {auth}\r\n"), 3.0).await
    }
}

/// A SIP connection over TCP from `ip`.
pub struct SipTcp {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl SipTcp {
    pub async fn connect(ip: &str, server: SocketAddr) -> std::io::Result<SipTcp> {
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(ip.parse().unwrap(), 0))?;
        let stream = socket.connect(server).await?;
        Ok(SipTcp { stream, buf: Vec::new() })
    }

    pub fn local(&self) -> SocketAddr {
        self.stream.local_addr().unwrap()
    }

    pub async fn send(&mut self, text: &str) -> std::io::Result<()> {
        self.stream.write_all(text.replace("SIP/2.0/UDP", "SIP/2.0/TCP").as_bytes()).await
    }

    /// The next response within `secs`, or `None` (nothing, or the connection closed).
    pub async fn response(&mut self, secs: f64) -> Option<Answer> {
        let deadline = Instant::now() + Duration::from_secs_f64(secs);
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end + 4]).into_owned();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.trim().parse().ok()))
                    .unwrap_or(0);
                if self.buf.len() >= end + 4 + len {
                    let msg: Vec<u8> = self.buf.drain(..end + 4 + len).collect();
                    let text = String::from_utf8_lossy(&msg).into_owned();
                    match parse_answer(&text) {
                        Some(a) if a.status >= 200 => return Some(a),
                        _ => continue,
                    }
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let mut chunk = [0u8; 8192];
            match tokio::time::timeout(left, self.stream.read(&mut chunk)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
                Ok(Ok(n)) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// Sends `count` RTP packets of a `hz` tone, one SSRC, sequential numbers,
/// 20 ms apart, from `from` to every port in `ports`.
pub async fn inject_rtp(from: &UdpSocket, to: IpAddr, ports: &[u16], hz: f64, count: u16) {
    let ssrc: u32 = 0x0bad_cafe;
    for i in 0..count {
        let mut p = vec![0x80u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        p[2..4].copy_from_slice(&i.to_be_bytes());
        p[4..8].copy_from_slice(&(u32::from(i) * 160).to_be_bytes());
        p[8..12].copy_from_slice(&ssrc.to_be_bytes());
        for k in 0..160u32 {
            let t = f64::from(u32::from(i) * 160 + k) / 8000.0;
            let s = (t * hz * std::f64::consts::TAU).sin() * 20000.0;
            p.push(hotline_media::g711::ulaw_encode(s as i16));
        }
        for port in ports {
            let _ = from.send_to(&p, SocketAddr::new(to, *port)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A call placed by [`Sip::call`]: what the in-dialog requests need.
pub struct Dialog {
    pub call_id: String,
    from: String,
    to: String,
    target: String,
    /// INVITE → 200 OK.
    pub setup: Duration,
}

impl Sip {
    /// INVITEs `uri` (no credentials) and ACKs its 200; `None` unless answered.
    pub async fn call(&mut self, uri: &str, user: &str) -> Option<Dialog> {
        let (text, call_id) = self.request("INVITE", uri, user, "", None, "Desk Phone 1.0");
        let from = text.lines().find(|l| l.starts_with("From:"))?.to_owned();
        let started = Instant::now();
        let ok = self.exchange(&text, &call_id, "INVITE", 10.0).await?;
        let setup = started.elapsed();
        if ok.status != 200 {
            return None;
        }
        let to = format!("To: {}", ok.header("To")?);
        let contact = ok.header("Contact")?;
        let target = contact.trim_start_matches('<').split('>').next()?.to_owned();
        let d = Dialog { call_id, from, to, target, setup };
        self.in_dialog(&d, "ACK", 1).await;
        Some(d)
    }

    async fn in_dialog(&mut self, d: &Dialog, method: &str, cseq: u32) -> String {
        self.n += 1;
        let l = self.local;
        let text = format!(
            "{method} {target} SIP/2.0\r\nVia: SIP/2.0/UDP {l};branch=z9hG4bKd{n}x{port}\r\nMax-Forwards: 70\r\n{from}\r\n{to}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\nContent-Length: 0\r\n\r\n",
            target = d.target,
            n = self.n,
            port = l.port(),
            from = d.from,
            to = d.to,
            call_id = d.call_id,
        );
        self.send(&text).await;
        text
    }

    /// Hangs up a call of [`Sip::call`]; whether the BYE was answered 200.
    pub async fn hang_up(&mut self, d: &Dialog) -> bool {
        let bye = self.in_dialog(d, "BYE", 2).await;
        self.exchange(&bye, &d.call_id, "BYE", 10.0).await.is_some_and(|a| a.status == 200)
    }
}

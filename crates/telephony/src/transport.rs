//! SIP transports: one UDP socket and one TCP listener on the same address,
//! and a TLS listener when configured (RFC 3261 §26; connections read and
//! written like TCP ones once the handshake is done).
//!
//! The transport moves bytes only. Datagrams and complete TCP messages are
//! delivered to one channel as [`Inbound`]; [`Transports::send`] writes to a
//! UDP peer or to the TCP connection a message came from (or opens one).
//! Message framing on TCP is given by the caller ([`Framer`]), so this module
//! knows nothing about SIP syntax. A connection that sends garbage or more
//! than [`MAX_MESSAGE`] bytes without a complete message is closed; no other
//! connection or call is affected.
//!
//! TCP is bounded ([`TcpLimits`]): connections in all and per source
//! address (more are closed as they are accepted), and a connection with
//! no traffic either way for the idle time is closed. Connections we open
//! are opened by a task of their own, so sending never waits for a
//! connect: the bytes wait in the connection's queue meanwhile.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

/// Largest SIP message accepted, in bytes (UDP datagrams are smaller still).
pub const MAX_MESSAGE: usize = hotline_sip::MAX_MESSAGE;

/// Which transport a message came over or goes out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

/// A datagram, or one complete message read from a TCP connection.
/// (The SIP framer is `hotline_sip::frame`; tests use a toy one.)
#[derive(Debug)]
pub struct Inbound {
    pub bytes: Vec<u8>,
    pub from: SocketAddr,
    pub transport: Transport,
}

/// What the framer says about the start of a TCP byte stream (SIP's own:
/// `hotline_sip::frame`).
pub use hotline_sip::Frame;

/// Splits a TCP byte stream into messages.
pub type Framer = fn(&[u8]) -> Frame;

type Writers = Arc<Mutex<HashMap<SocketAddr, mpsc::UnboundedSender<Vec<u8>>>>>;

/// Bounds on TCP connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpLimits {
    pub max_connections: usize,
    pub max_per_source: usize,
    /// No traffic either way for this long closes a connection.
    pub idle: Duration,
}

impl Default for TcpLimits {
    fn default() -> TcpLimits {
        TcpLimits { max_connections: 4096, max_per_source: 64, idle: Duration::from_secs(900) }
    }
}

/// Open connections, in all and per source.
#[derive(Debug, Default)]
struct Open {
    total: usize,
    per_source: HashMap<IpAddr, usize>,
}

/// The bound sockets. Cheap to clone.
#[derive(Clone)]
pub struct Transports {
    udp: Arc<UdpSocket>,
    tcp_writers: Writers,
    inbound: mpsc::Sender<Inbound>,
    framer: Framer,
    local: SocketAddr,
    limits: TcpLimits,
    open: Arc<Mutex<Open>>,
}

/// A connection's place among the open ones, given back when dropped.
struct Slot {
    ip: IpAddr,
    open: Arc<Mutex<Open>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut o) = self.open.lock() {
            o.total = o.total.saturating_sub(1);
            if let Some(n) = o.per_source.get_mut(&self.ip) {
                *n -= 1;
                if *n == 0 {
                    o.per_source.remove(&self.ip);
                }
            }
        }
    }
}

impl Transports {
    /// Binds UDP and TCP on `addr` (port 0 picks one port for both) and
    /// starts the readers. Messages arrive on the returned receiver.
    pub async fn bind(addr: SocketAddr, framer: Framer) -> std::io::Result<(Transports, mpsc::Receiver<Inbound>)> {
        Transports::bind_with(addr, framer, TcpLimits::default()).await
    }

    /// [`Transports::bind`] with TCP bounded by `limits`.
    pub async fn bind_with(addr: SocketAddr, framer: Framer, limits: TcpLimits) -> std::io::Result<(Transports, mpsc::Receiver<Inbound>)> {
        let (listener, udp) = bind_pair(addr).await?;
        let local = udp.local_addr()?;
        let (tx, rx) = mpsc::channel(4096);
        let t = Transports {
            udp: Arc::new(udp),
            tcp_writers: Arc::new(Mutex::new(HashMap::new())),
            inbound: tx,
            framer,
            local,
            limits,
            open: Arc::default(),
        };
        tokio::spawn(udp_reader(t.udp.clone(), t.inbound.clone()));
        tokio::spawn(tcp_acceptor(listener, t.clone()));
        Ok((t, rx))
    }

    /// The address both transports listen on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Sends `bytes` to `to`. Over TCP, reuses the connection from `to` or
    /// opens one (in the background: this never waits for a connect; a
    /// connection that cannot be opened loses what was queued, and the
    /// transaction times out). Errors are returned, never panicked on.
    pub async fn send(&self, to: SocketAddr, transport: Transport, bytes: Vec<u8>) -> std::io::Result<()> {
        match transport {
            Transport::Udp => self.udp.send_to(&bytes, to).await.map(|_| ()),
            Transport::Tcp => {
                let writer = match self.writer(to) {
                    Some(w) => w,
                    None => self.connect(to)?,
                };
                writer.send(bytes).map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "connection closed"))
            }
            // Phones open TLS connections; we answer on the one they opened.
            Transport::Tls => {
                let writer = self.writer(to).ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotConnected, "no TLS connection from that address"))?;
                writer.send(bytes).map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "connection closed"))
            }
        }
    }

    /// Listens for SIP over TLS on `addr` with `acceptor`'s certificate;
    /// returns the address. Connections count against the same limits as
    /// TCP; a handshake that does not finish within 10 s is dropped.
    pub async fn listen_tls(&self, addr: SocketAddr, acceptor: tokio_rustls::TlsAcceptor) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let t = self.clone();
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "SIP TLS accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(slot) = t.reserve(peer.ip()) else {
                    tracing::debug!(%peer, "SIP TLS connection refused: too many open");
                    continue;
                };
                let (t, acceptor) = (t.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let (wtx, wrx) = mpsc::unbounded_channel::<Vec<u8>>();
                            if let Ok(mut w) = t.tcp_writers.lock() {
                                w.insert(peer, wtx);
                            }
                            t.run(tls, peer, Transport::Tls, slot, wrx);
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "SIP TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "SIP TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(local)
    }

    fn writer(&self, to: SocketAddr) -> Option<mpsc::UnboundedSender<Vec<u8>>> {
        self.tcp_writers.lock().ok()?.get(&to).filter(|w| !w.is_closed()).cloned()
    }

    /// Takes a place for a connection with `ip`, if the limits allow.
    fn reserve(&self, ip: IpAddr) -> Option<Slot> {
        let mut o = self.open.lock().ok()?;
        let here = o.per_source.get(&ip).copied().unwrap_or(0);
        if o.total >= self.limits.max_connections || here >= self.limits.max_per_source {
            return None;
        }
        o.total += 1;
        *o.per_source.entry(ip).or_insert(0) += 1;
        Some(Slot { ip, open: self.open.clone() })
    }

    /// Opens a connection to `to` in the background; returns its queue.
    fn connect(&self, to: SocketAddr) -> std::io::Result<mpsc::UnboundedSender<Vec<u8>>> {
        let slot = self.reserve(to.ip()).ok_or_else(|| std::io::Error::other("too many SIP TCP connections"))?;
        let (wtx, wrx) = mpsc::unbounded_channel::<Vec<u8>>();
        if let Ok(mut w) = self.tcp_writers.lock() {
            w.insert(to, wtx.clone());
        }
        let t = self.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(to)).await {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    t.run(stream, to, Transport::Tcp, slot, wrx)
                }
                outcome => {
                    let why = match outcome {
                        Ok(Err(e)) => e.to_string(),
                        _ => "timed out".into(),
                    };
                    tracing::debug!(%to, %why, "SIP TCP connect failed");
                    if let Ok(mut w) = t.tcp_writers.lock() {
                        w.remove(&to);
                    }
                }
            }
        });
        Ok(wtx)
    }

    /// Takes an accepted connection, if the limits allow.
    fn adopt(&self, stream: TcpStream, peer: SocketAddr) {
        let Some(slot) = self.reserve(peer.ip()) else {
            tracing::debug!(%peer, "SIP TCP connection refused: too many open");
            return;
        };
        let _ = stream.set_nodelay(true);
        let (wtx, wrx) = mpsc::unbounded_channel::<Vec<u8>>();
        if let Ok(mut w) = self.tcp_writers.lock() {
            w.insert(peer, wtx);
        }
        self.run(stream, peer, Transport::Tcp, slot, wrx);
    }

    /// Reads and writes a connection (TCP, or TLS after its handshake)
    /// until it closes, fails, or idles.
    fn run<S>(&self, stream: S, peer: SocketAddr, transport: Transport, slot: Slot, mut wrx: mpsc::UnboundedReceiver<Vec<u8>>)
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (read, mut write) = tokio::io::split(stream);
        let started = Instant::now();
        let active = Arc::new(AtomicU64::new(0));
        let stamp = move |a: &AtomicU64| a.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        let written = active.clone();
        let writer = tokio::spawn(async move {
            while let Some(bytes) = wrx.recv().await {
                if write.write_all(&bytes).await.is_err() || write.flush().await.is_err() {
                    break;
                }
                stamp(&written);
            }
        });
        let (inbound, framer, writers, idle) = (self.inbound.clone(), self.framer, self.tcp_writers.clone(), self.limits.idle);
        tokio::spawn(async move {
            let _slot = slot;
            let reading = Reading { peer, transport, inbound, framer, idle, started, active };
            if let Err(why) = reading.run(read).await {
                tracing::debug!(%peer, %why, "SIP TCP connection closed");
            }
            if let Ok(mut w) = writers.lock() {
                w.remove(&peer);
            }
            writer.abort();
        });
    }
}

/// UDP and TCP on the same port: with port 0, retry until a port is free for both.
async fn bind_pair(addr: SocketAddr) -> std::io::Result<(TcpListener, UdpSocket)> {
    if addr.port() != 0 {
        return Ok((TcpListener::bind(addr).await?, UdpSocket::bind(addr).await?));
    }
    let mut last = None;
    for _ in 0..16 {
        let udp = UdpSocket::bind(addr).await?;
        match TcpListener::bind(udp.local_addr()?).await {
            Ok(tcp) => return Ok((tcp, udp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port free for UDP and TCP")))
}

async fn udp_reader(udp: Arc<UdpSocket>, inbound: mpsc::Sender<Inbound>) {
    let mut buf = vec![0u8; MAX_MESSAGE];
    loop {
        match udp.recv_from(&mut buf).await {
            Ok((n, from)) => {
                let bytes = buf.get(..n).unwrap_or_default().to_vec();
                if inbound.send(Inbound { bytes, from, transport: Transport::Udp }).await.is_err() {
                    return;
                }
            }
            // ICMP port-unreachable and friends surface here on some systems: keep going.
            Err(e) => tracing::debug!(error = %e, "SIP UDP receive error"),
        }
    }
}

async fn tcp_acceptor(listener: TcpListener, t: Transports) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => t.adopt(stream, peer),
            Err(e) => {
                tracing::warn!(error = %e, "SIP TCP accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

/// One connection's reading side.
struct Reading {
    peer: SocketAddr,
    transport: Transport,
    inbound: mpsc::Sender<Inbound>,
    framer: Framer,
    idle: Duration,
    started: Instant,
    /// When the connection last carried traffic either way (ms since `started`).
    active: Arc<AtomicU64>,
}

impl Reading {
    /// How long the connection has been quiet.
    fn quiet(&self) -> Duration {
        self.started.elapsed().saturating_sub(Duration::from_millis(self.active.load(Ordering::Relaxed)))
    }

    async fn run(self, mut read: impl AsyncRead + Unpin) -> Result<(), String> {
        let mut buf: Vec<u8> = Vec::with_capacity(8192);
        let mut chunk = vec![0u8; 8192];
        loop {
            let wait = self.idle.saturating_sub(self.quiet());
            let n = match tokio::time::timeout(wait, read.read(&mut chunk)).await {
                Ok(r) => r.map_err(|e| e.to_string())?,
                Err(_) if self.quiet() >= self.idle => return Err("idle".into()),
                Err(_) => continue,
            };
            if n == 0 {
                return Ok(());
            }
            self.active.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            loop {
                // Keep-alive CRLFs between messages (RFC 5626 section 4.4.1).
                let blank = buf.iter().take_while(|b| **b == b'\r' || **b == b'\n').count();
                buf.drain(..blank);
                if buf.is_empty() {
                    break;
                }
                match (self.framer)(&buf) {
                    Frame::Complete(len) if len > 0 && len <= buf.len() => {
                        let bytes: Vec<u8> = buf.drain(..len).collect();
                        self.inbound
                            .send(Inbound { bytes, from: self.peer, transport: self.transport })
                            .await
                            .map_err(|_| "server stopped".to_owned())?;
                    }
                    Frame::Complete(_) | Frame::Invalid => return Err("not a SIP stream".into()),
                    Frame::Incomplete if buf.len() > MAX_MESSAGE => return Err("message too large".into()),
                    Frame::Incomplete => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy framer for the tests: messages end with a blank line, no body.
    fn framer(b: &[u8]) -> Frame {
        if !b.starts_with(b"M") {
            return Frame::Invalid;
        }
        match b.windows(4).position(|w| w == b"\r\n\r\n") {
            Some(i) => Frame::Complete(i + 4),
            None => Frame::Incomplete,
        }
    }

    async fn server() -> (Transports, mpsc::Receiver<Inbound>) {
        Transports::bind("127.0.0.1:0".parse().unwrap(), framer).await.unwrap()
    }

    #[tokio::test]
    async fn the_sip_framer_splits_real_messages() {
        let (t, mut rx) = Transports::bind("127.0.0.1:0".parse().unwrap(), hotline_sip::frame).await.unwrap();
        let mut a = TcpStream::connect(t.local_addr()).await.unwrap();
        let m = b"OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nTo: <sip:h>\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 2\r\n\r\nhi";
        a.write_all(m).await.unwrap();
        a.write_all(m).await.unwrap();
        for _ in 0..2 {
            let got = rx.recv().await.unwrap();
            assert_eq!(hotline_sip::Message::parse(&got.bytes).unwrap().body, b"hi");
        }
    }

    #[tokio::test]
    async fn udp_datagrams_arrive_and_replies_go_back() {
        let (t, mut rx) = server().await;
        let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        peer.send_to(b"M1\r\n\r\n", t.local_addr()).await.unwrap();
        let m = rx.recv().await.unwrap();
        assert_eq!((m.bytes.as_slice(), m.transport), (&b"M1\r\n\r\n"[..], Transport::Udp));
        t.send(m.from, Transport::Udp, b"R1".to_vec()).await.unwrap();
        let mut buf = [0u8; 16];
        let (n, _) = peer.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"R1");
    }

    #[tokio::test]
    async fn tcp_stream_is_split_into_messages_and_garbage_closes_only_that_connection() {
        let (t, mut rx) = server().await;
        let mut a = TcpStream::connect(t.local_addr()).await.unwrap();
        // Two messages and a keep-alive in odd pieces.
        a.write_all(b"\r\nM1\r\n\r").await.unwrap();
        a.write_all(b"\nM2\r\n\r\n").await.unwrap();
        assert_eq!(rx.recv().await.unwrap().bytes, b"M1\r\n\r\n");
        let m2 = rx.recv().await.unwrap();
        assert_eq!((m2.bytes.as_slice(), m2.transport), (&b"M2\r\n\r\n"[..], Transport::Tcp));
        // A reply goes back on the same connection.
        t.send(m2.from, Transport::Tcp, b"R2".to_vec()).await.unwrap();
        let mut buf = [0u8; 2];
        a.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"R2");
        // Garbage on another connection closes it ...
        let mut b = TcpStream::connect(t.local_addr()).await.unwrap();
        b.write_all(b"GARBAGE\r\n\r\n").await.unwrap();
        let mut rest = Vec::new();
        assert_eq!(b.read_to_end(&mut rest).await.unwrap(), 0, "closed by the server");
        // ... while the first keeps working.
        a.write_all(b"M3\r\n\r\n").await.unwrap();
        assert_eq!(rx.recv().await.unwrap().bytes, b"M3\r\n\r\n");
    }

    #[tokio::test]
    async fn tcp_connections_are_capped_per_source_and_in_all() {
        let limits = TcpLimits { max_connections: 3, max_per_source: 2, idle: Duration::from_secs(60) };
        let (t, mut rx) = Transports::bind_with("127.0.0.1:0".parse().unwrap(), framer, limits).await.unwrap();
        let mut a = TcpStream::connect(t.local_addr()).await.unwrap();
        let mut b = TcpStream::connect(t.local_addr()).await.unwrap();
        // Both are served (which proves they were adopted before the third).
        a.write_all(b"Ma\r\n\r\n").await.unwrap();
        b.write_all(b"Mb\r\n\r\n").await.unwrap();
        let mut got = vec![rx.recv().await.unwrap().bytes, rx.recv().await.unwrap().bytes];
        got.sort();
        assert_eq!(got, vec![b"Ma\r\n\r\n".to_vec(), b"Mb\r\n\r\n".to_vec()]);
        // A third from the same address is closed at once.
        let mut c = TcpStream::connect(t.local_addr()).await.unwrap();
        let mut rest = Vec::new();
        assert_eq!(c.read_to_end(&mut rest).await.unwrap(), 0, "closed by the server");
        // Another address still gets in, up to the total.
        let other = tokio::net::TcpSocket::new_v4().unwrap();
        other.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        let mut d = other.connect(t.local_addr()).await.unwrap();
        d.write_all(b"Md\r\n\r\n").await.unwrap();
        assert_eq!(rx.recv().await.unwrap().bytes, b"Md\r\n\r\n");
        // One of the first closes: its place is free again.
        drop(a);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let mut e = TcpStream::connect(t.local_addr()).await.unwrap();
            e.write_all(b"Me\r\n\r\n").await.unwrap();
            if let Ok(Some(m)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
                assert_eq!(m.bytes, b"Me\r\n\r\n");
                break;
            }
            assert!(Instant::now() < deadline, "the closed connection's place was never given back");
        }
    }

    #[tokio::test]
    async fn an_idle_tcp_connection_is_closed_and_a_talking_one_is_not() {
        let limits = TcpLimits { idle: Duration::from_millis(600), ..TcpLimits::default() };
        let (t, mut rx) = Transports::bind_with("127.0.0.1:0".parse().unwrap(), framer, limits).await.unwrap();
        let mut quiet = TcpStream::connect(t.local_addr()).await.unwrap();
        let mut talking = TcpStream::connect(t.local_addr()).await.unwrap();
        let started = Instant::now();
        // Keep-alives every 200 ms on one; nothing on the other.
        let keep = tokio::spawn(async move {
            for _ in 0..8 {
                talking.write_all(b"\r\n\r\n").await.unwrap();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            talking.write_all(b"Mt\r\n\r\n").await.unwrap();
            talking
        });
        let mut rest = Vec::new();
        assert_eq!(quiet.read_to_end(&mut rest).await.unwrap(), 0);
        assert!(started.elapsed() >= Duration::from_millis(600), "closed only once idle");
        let _talking = keep.await.unwrap();
        assert_eq!(rx.recv().await.unwrap().bytes, b"Mt\r\n\r\n", "the talking one still works after 1.6 s");
    }

    #[tokio::test]
    async fn sending_over_tcp_never_waits_for_the_connect() {
        let (t, _rx) = server().await;
        // Nobody listens at a blackholed address: the send returns at once.
        let started = Instant::now();
        t.send("192.0.2.1:5060".parse().unwrap(), Transport::Tcp, b"M\r\n\r\n".to_vec()).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
        // A listening peer gets what was queued before the connect finished.
        let peer = TcpListener::bind("127.0.0.1:0").await.unwrap();
        t.send(peer.local_addr().unwrap(), Transport::Tcp, b"R1".to_vec()).await.unwrap();
        t.send(peer.local_addr().unwrap(), Transport::Tcp, b"R2".to_vec()).await.unwrap();
        let (mut s, _) = peer.accept().await.unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"R1R2");
    }
}

//! SIP transports: one UDP socket and one TCP listener on the same address.
//!
//! The transport moves bytes only. Datagrams and complete TCP messages are
//! delivered to one channel as [`Inbound`]; [`Transports::send`] writes to a
//! UDP peer or to the TCP connection a message came from (or opens one).
//! Message framing on TCP is given by the caller ([`Framer`]), so this module
//! knows nothing about SIP syntax. A connection that sends garbage or more
//! than [`MAX_MESSAGE`] bytes without a complete message is closed; no other
//! connection or call is affected.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

/// Largest SIP message accepted, in bytes (UDP datagrams are smaller still).
pub const MAX_MESSAGE: usize = hotline_sip::MAX_MESSAGE;

/// Which transport a message came over or goes out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Udp,
    Tcp,
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

/// The bound sockets. Cheap to clone.
#[derive(Clone)]
pub struct Transports {
    udp: Arc<UdpSocket>,
    tcp_writers: Writers,
    inbound: mpsc::Sender<Inbound>,
    framer: Framer,
    local: SocketAddr,
}

impl Transports {
    /// Binds UDP and TCP on `addr` (port 0 picks one port for both) and
    /// starts the readers. Messages arrive on the returned receiver.
    pub async fn bind(addr: SocketAddr, framer: Framer) -> std::io::Result<(Transports, mpsc::Receiver<Inbound>)> {
        let (listener, udp) = bind_pair(addr).await?;
        let local = udp.local_addr()?;
        let (tx, rx) = mpsc::channel(4096);
        let t = Transports {
            udp: Arc::new(udp),
            tcp_writers: Arc::new(Mutex::new(HashMap::new())),
            inbound: tx,
            framer,
            local,
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
    /// opens one. Errors are returned, never panicked on.
    pub async fn send(&self, to: SocketAddr, transport: Transport, bytes: Vec<u8>) -> std::io::Result<()> {
        match transport {
            Transport::Udp => self.udp.send_to(&bytes, to).await.map(|_| ()),
            Transport::Tcp => {
                let existing = self.writer(to);
                let writer = match existing {
                    Some(w) => w,
                    None => {
                        let stream = TcpStream::connect(to).await?;
                        self.adopt(stream, to)
                    }
                };
                writer.send(bytes).map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "connection closed"))
            }
        }
    }

    fn writer(&self, to: SocketAddr) -> Option<mpsc::UnboundedSender<Vec<u8>>> {
        self.tcp_writers.lock().ok()?.get(&to).filter(|w| !w.is_closed()).cloned()
    }

    /// Starts reading and writing a TCP connection.
    fn adopt(&self, stream: TcpStream, peer: SocketAddr) -> mpsc::UnboundedSender<Vec<u8>> {
        let _ = stream.set_nodelay(true);
        let (read, mut write) = stream.into_split();
        let (wtx, mut wrx) = mpsc::unbounded_channel::<Vec<u8>>();
        if let Ok(mut w) = self.tcp_writers.lock() {
            w.insert(peer, wtx.clone());
        }
        tokio::spawn(async move {
            while let Some(bytes) = wrx.recv().await {
                if write.write_all(&bytes).await.is_err() {
                    break;
                }
            }
        });
        let (inbound, framer, writers) = (self.inbound.clone(), self.framer, self.tcp_writers.clone());
        tokio::spawn(async move {
            if let Err(why) = tcp_reader(read, peer, inbound, framer).await {
                tracing::debug!(%peer, %why, "SIP TCP connection closed");
            }
            if let Ok(mut w) = writers.lock() {
                w.remove(&peer);
            }
        });
        wtx
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
            Ok((stream, peer)) => {
                t.adopt(stream, peer);
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIP TCP accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

async fn tcp_reader(
    mut read: tokio::net::tcp::OwnedReadHalf,
    peer: SocketAddr,
    inbound: mpsc::Sender<Inbound>,
    framer: Framer,
) -> Result<(), String> {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = vec![0u8; 8192];
    loop {
        let n = read.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        loop {
            // Keep-alive CRLFs between messages (RFC 5626 section 4.4.1).
            let blank = buf.iter().take_while(|b| **b == b'\r' || **b == b'\n').count();
            buf.drain(..blank);
            if buf.is_empty() {
                break;
            }
            match framer(&buf) {
                Frame::Complete(len) if len > 0 && len <= buf.len() => {
                    let bytes: Vec<u8> = buf.drain(..len).collect();
                    inbound
                        .send(Inbound { bytes, from: peer, transport: Transport::Tcp })
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
}

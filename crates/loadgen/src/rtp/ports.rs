//! Local RTP ports for the simulated phones: even ports from a range,
//! bound at once, returned to the pool when the socket is dropped.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use crate::config::PortRange;
use crate::error::LoadgenError;

#[derive(Debug)]
struct Pool {
    ip: IpAddr,
    min: u16,
    max: u16,
    next: u16,
    in_use: HashSet<u16>,
}

/// Hands out bound RTP sockets. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PortAllocator {
    pool: Arc<Mutex<Pool>>,
}

/// A bound RTP socket; its port goes back to the pool when dropped.
#[derive(Debug)]
pub struct RtpSocket {
    /// For receiving (async).
    pub socket: tokio::net::UdpSocket,
    /// The same socket for sending: a plain non-blocking `send_to`. (A new
    /// tokio socket refuses `try_send_to` with WouldBlock until the reactor
    /// has seen it writable, which would drop a stream's first packets.)
    pub send: std::net::UdpSocket,
    pub port: u16,
    pool: Arc<Mutex<Pool>>,
}

impl Drop for RtpSocket {
    fn drop(&mut self) {
        if let Ok(mut p) = self.pool.lock() {
            p.in_use.remove(&self.port);
        }
    }
}

impl PortAllocator {
    pub fn new(ip: IpAddr, range: PortRange) -> PortAllocator {
        let min = range.min.saturating_add(range.min % 2);
        let pool = Pool {
            ip,
            min,
            max: range.max,
            next: min,
            in_use: HashSet::new(),
        };
        PortAllocator {
            pool: Arc::new(Mutex::new(pool)),
        }
    }

    /// Binds the next free even port (ports taken by other programs are
    /// skipped). Must be called inside the tokio runtime.
    pub fn allocate(&self) -> Result<RtpSocket, LoadgenError> {
        let mut p = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        let slots = u32::from(p.max - p.min) / 2 + 1;
        for _ in 0..slots {
            let port = p.next;
            p.next = if port.saturating_add(2) > p.max {
                p.min
            } else {
                port + 2
            };
            if p.in_use.contains(&port) {
                continue;
            }
            let Ok(std_sock) = std::net::UdpSocket::bind(SocketAddr::new(p.ip, port)) else {
                continue;
            };
            std_sock.set_nonblocking(true)?;
            let send = std_sock.try_clone()?;
            let socket = tokio::net::UdpSocket::from_std(std_sock)?;
            p.in_use.insert(port);
            return Ok(RtpSocket {
                socket,
                send,
                port,
                pool: self.pool.clone(),
            });
        }
        Err(LoadgenError::PortsExhausted {
            min: p.min,
            max: p.max,
        })
    }

    /// Ports handed out and not yet returned.
    pub fn in_use(&self) -> usize {
        self.pool.lock().map_or(0, |p| p.in_use.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn even_ports_are_reused_after_release() {
        let a = PortAllocator::new(
            "127.0.0.1".parse().unwrap(),
            PortRange {
                min: 47001,
                max: 47005,
            },
        );
        let x = a.allocate().unwrap();
        let y = a.allocate().unwrap();
        assert_eq!((x.port, y.port), (47002, 47004));
        assert!(matches!(
            a.allocate(),
            Err(LoadgenError::PortsExhausted { .. })
        ));
        drop(x);
        assert_eq!(a.allocate().unwrap().port, 47002);
        assert_eq!(a.in_use(), 1);
    }
}

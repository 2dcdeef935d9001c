//! RTP port allocation: each call leg gets an even port for RTP (RTCP uses
//! the next odd one) from the configured range, bound at once so that two
//! legs — or another program — can never share one.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

/// What the media plane counts across all calls (for `/metrics`).
#[derive(Debug, Default)]
pub struct MediaCounters {
    /// RTP packets refused because they came from a source the leg does
    /// not take (a stranger, or a peer before it was learned).
    pub rtp_strangers: AtomicU64,
    /// SRTP packets refused for failing authentication (or replayed).
    pub srtp_refused: AtomicU64,
}

/// A bound RTP/RTCP socket pair. The port returns to the pool when dropped.
#[derive(Debug)]
pub struct RtpPorts {
    pub rtp: UdpSocket,
    pub rtcp: UdpSocket,
    pub port: u16,
    pool: Arc<Mutex<Pool>>,
    pub counters: Arc<MediaCounters>,
}

impl Drop for RtpPorts {
    fn drop(&mut self) {
        if let Ok(mut p) = self.pool.lock() {
            p.in_use.remove(&self.port);
        }
    }
}

#[derive(Debug)]
struct Pool {
    ip: IpAddr,
    min: u16,
    max: u16,
    /// Where the next search starts, so ports are reused as late as possible
    /// (a late packet of an ended call must not land in a new one).
    next: u16,
    in_use: BTreeSet<u16>,
}

/// Hands out RTP ports. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PortPool {
    pool: Arc<Mutex<Pool>>,
    counters: Arc<MediaCounters>,
}

#[derive(Debug, thiserror::Error)]
pub enum PortError {
    #[error("no free RTP port pair in {min}-{max}")]
    Exhausted { min: u16, max: u16 },
}

impl PortPool {
    /// Ports `min..=max` on `ip`; `min` is rounded up to even.
    pub fn new(ip: IpAddr, min: u16, max: u16) -> PortPool {
        let min = min.saturating_add(min % 2);
        let pool = Pool { ip, min, max, next: min, in_use: BTreeSet::new() };
        PortPool { pool: Arc::new(Mutex::new(pool)), counters: Arc::default() }
    }

    /// Binds the next free even port and the odd one after it.
    pub fn allocate(&self) -> Result<RtpPorts, PortError> {
        let mut p = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        let (min, max) = (p.min, p.max);
        let pairs = u32::from(max.saturating_sub(min)) / 2 + 1;
        let mut port = p.next;
        for _ in 0..pairs {
            let candidate = port;
            port = if u32::from(port) + 2 > u32::from(max.saturating_sub(1)) { min } else { port + 2 };
            if p.in_use.contains(&candidate) || candidate.checked_add(1).is_none_or(|odd| odd > max) {
                continue;
            }
            let bound = UdpSocket::bind(SocketAddr::new(p.ip, candidate))
                .and_then(|rtp| UdpSocket::bind(SocketAddr::new(p.ip, candidate + 1)).map(|rtcp| (rtp, rtcp)));
            if let Ok((rtp, rtcp)) = bound {
                p.in_use.insert(candidate);
                p.next = port;
                return Ok(RtpPorts { rtp, rtcp, port: candidate, pool: self.pool.clone(), counters: self.counters.clone() });
            }
        }
        Err(PortError::Exhausted { min, max })
    }

    /// The counters every leg of this pool adds to.
    pub fn counters(&self) -> Arc<MediaCounters> {
        self.counters.clone()
    }

    /// How many port pairs the pool has.
    pub fn capacity(&self) -> usize {
        self.pool.lock().map_or(0, |p| usize::from(p.max.saturating_sub(p.min)) / 2 + 1)
    }

    pub fn in_use(&self) -> usize {
        self.pool.lock().map_or(0, |p| p.in_use.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(min: u16, max: u16) -> PortPool {
        PortPool::new(IpAddr::from([127, 0, 0, 1]), min, max)
    }

    #[test]
    fn pairs_are_even_distinct_and_returned_on_drop() {
        let p = pool(41000, 41007);
        let a = p.allocate().unwrap();
        let b = p.allocate().unwrap();
        assert_eq!(a.port % 2, 0);
        assert_ne!(a.port, b.port);
        assert_eq!(a.rtcp.local_addr().unwrap().port(), a.port + 1);
        assert_eq!(p.in_use(), 2);
        let freed = a.port;
        drop(a);
        assert_eq!(p.in_use(), 1);
        // The freed port is reused last.
        let c = p.allocate().unwrap();
        assert_ne!(c.port, freed);
    }

    #[test]
    fn exhaustion_is_an_error_not_a_panic() {
        let p = pool(41100, 41103);
        let _a = p.allocate().unwrap();
        let _b = p.allocate().unwrap();
        assert!(matches!(p.allocate(), Err(PortError::Exhausted { .. })));
    }

    #[test]
    fn ports_taken_by_others_are_skipped() {
        let taken = UdpSocket::bind("127.0.0.1:41200").unwrap();
        let p = pool(41200, 41205);
        let a = p.allocate().unwrap();
        assert_eq!(a.port, 41202);
        drop(taken);
    }
}

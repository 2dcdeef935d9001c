//! The simulated phones' media: RTP ports ([`ports`]), the audio they send
//! ([`tone`]: a G.711 tone with a tag that survives the server's relay),
//! one task that paces every stream's packets ([`sender`]), and a task
//! per stream that measures what arrives ([`receiver`]).

pub mod ports;
pub mod receiver;
pub mod sender;
pub mod tone;

pub use ports::{PortAllocator, RtpSocket};
pub use receiver::{Receiver, RecvStats};
pub use sender::{Sender, SenderCounters};
pub use tone::Party;

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::config::PortRange;
    use crate::sdp::Remote;

    /// A stream from one socket to another over loopback: paced frames,
    /// the far party's tag noticed, keys sent as RFC 4733 events.
    #[tokio::test]
    async fn a_stream_over_loopback() {
        let ports = PortAllocator::new(
            "127.0.0.1".parse().unwrap(),
            PortRange {
                min: 47100,
                max: 47199,
            },
        );
        let (a, b) = (
            Arc::new(ports.allocate().unwrap()),
            Arc::new(ports.allocate().unwrap()),
        );
        let (tx, mut heard) = tokio::sync::mpsc::unbounded_channel();
        let receiver = Receiver::spawn(b.clone(), Party::Agent, Some((tx, 7)));
        let sender = Sender::spawn();
        let to_b = Remote {
            addr: SocketAddr::new("127.0.0.1".parse().unwrap(), b.port),
            payload_type: 0,
            dtmf_payload_type: Some(101),
        };
        sender.start(1, a.clone(), to_b, Party::Agent);
        sender.key(1, '5');
        let (id, _) = tokio::time::timeout(Duration::from_secs(2), heard.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(id, 7);
        tokio::time::sleep(Duration::from_millis(300)).await;
        sender.stop(1);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let st = receiver.finish().await;
        // About 16 frames in 320 ms, 7 of them the key's events.
        assert!((12..=20).contains(&st.rtp.received), "{}", st.rtp.received);
        assert_eq!(st.rtp.lost(), 0);
        assert_eq!(
            st.e2e.received + 7,
            st.rtp.received,
            "every audio frame is tagged"
        );
        assert!(st.rtp.jitter_ms() < 10.0);
        assert_eq!(
            sender
                .counters
                .packets
                .load(std::sync::atomic::Ordering::Relaxed),
            st.rtp.received
        );
    }
}

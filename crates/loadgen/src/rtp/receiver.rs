//! A task per stream measures what arrives: loss and RFC 3550 jitter of
//! the server's RTP (by its sequence numbers and timestamps), and the
//! same end to end over the far phone's tagged frames. The first tagged
//! frame from the far party is reported at once (a caller hears its agent).

use std::sync::Arc;
use std::time::Instant;

use hotline_media::rtcp::ReceiveStats;
use hotline_media::rtp::RtpPacket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::ports::RtpSocket;
use super::tone::{self, Party, FRAME};

/// What one stream received.
#[derive(Debug, Clone, Default)]
pub struct RecvStats {
    /// The server's stream: every RTP packet, by its sequence numbers.
    pub rtp: ReceiveStats,
    /// The far phone's tagged frames, by their counters (through the relay).
    pub e2e: ReceiveStats,
    pub first_packet: Option<Instant>,
    /// The first frame tagged by the far party.
    pub first_far: Option<Instant>,
    /// Datagrams that were not RTP.
    pub bad: u64,
}

/// A running receiver; [`Receiver::finish`] stops it and gives its figures.
pub struct Receiver {
    stop: Option<oneshot::Sender<()>>,
    join: JoinHandle<RecvStats>,
}

impl Receiver {
    /// Receives on `socket`, looking for frames tagged by `far`. When the
    /// first arrives, `(id, when)` goes to `notify`.
    pub fn spawn(
        socket: Arc<RtpSocket>,
        far: Party,
        notify: Option<(mpsc::UnboundedSender<(u64, Instant)>, u64)>,
    ) -> Receiver {
        let (stop, stopped) = oneshot::channel();
        let join = tokio::spawn(receive(socket, far, notify, stopped));
        Receiver {
            stop: Some(stop),
            join,
        }
    }

    /// Stops receiving; the figures so far.
    pub async fn finish(mut self) -> RecvStats {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        (&mut self.join).await.unwrap_or_default()
    }
}

async fn receive(
    socket: Arc<RtpSocket>,
    far: Party,
    mut notify: Option<(mpsc::UnboundedSender<(u64, Instant)>, u64)>,
    mut stopped: oneshot::Receiver<()>,
) -> RecvStats {
    let mut st = RecvStats::default();
    let epoch = Instant::now();
    let mut buf = [0u8; 1500];
    loop {
        let len = tokio::select! {
            biased;
            _ = &mut stopped => break,
            r = socket.socket.recv_from(&mut buf) => match r {
                Ok((len, _)) => len,
                // ICMP errors surface as receive errors on some systems.
                Err(_) => continue,
            },
        };
        let now = Instant::now();
        // Arrival time in 8 kHz units, as RTP timestamps count.
        let arrival = (now.duration_since(epoch).as_micros() as u64) * 8 / 1000;
        let Ok(p) = RtpPacket::parse(&buf[..len]) else {
            st.bad += 1;
            continue;
        };
        st.first_packet.get_or_insert(now);
        st.rtp.packet(p.sequence, p.timestamp, arrival);
        if let Some((party, counter)) = tone::read_tag(p.payload) {
            if party == far {
                st.e2e.packet(
                    counter,
                    u32::from(counter).wrapping_mul(FRAME as u32),
                    arrival,
                );
                if st.first_far.is_none() {
                    st.first_far = Some(now);
                    if let Some((tx, id)) = notify.take() {
                        let _ = tx.send((id, now));
                    }
                }
            }
        }
    }
    st
}

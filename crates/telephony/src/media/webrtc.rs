//! A browser agent's leg: WebRTC terminated on the server with str0m
//! (sans-IO): ICE-lite on one UDP port (BUNDLE, rtcp-mux), DTLS-SRTP with
//! the browser as DTLS client, PCMU/PCMA both ways (browsers have G.711, so
//! nothing is transcoded beyond what the bridge does anyway), RFC 4733 keys.
//!
//! The leg is driven like the plain RTP leg, from the call's media task:
//! datagrams in (`receive`), audio out (`send_audio`), plus str0m's own
//! timer (`deadline` / `on_timeout`). Everything str0m wants sent goes out
//! with a non-blocking send, so the leg never awaits.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use hotline_media::g711::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode};
use hotline_media::jitter::JitterBuffer;
use str0m::change::SdpOffer;
use str0m::format::{Codec, CodecExtra};
use str0m::media::{Frequency, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig};
use tokio::net::UdpSocket;

use super::leg::{Heard, MAX_SAMPLES};
use crate::ports::RtpPorts;

/// The payload type we offer for telephone-event (str0m answers with the browser's).
const TELEPHONE_EVENT: u8 = 101;
const KEYS: &[u8; 16] = b"0123456789*#ABCD";

pub struct WebRtcLeg {
    rtc: Rtc,
    pub socket: UdpSocket,
    /// The address of our ICE candidate (what the browser sends to).
    local: SocketAddr,
    _ports: RtpPorts,
    mid: Option<Mid>,
    pt: Option<Pt>,
    alaw: bool,
    connected: bool,
    deadline: Instant,
    rtp_time: u64,
    last_key: Option<(u64, u8)>,
    keys: VecDeque<char>,
    /// Audio decoded from the last datagram, for the caller and the recorder.
    heard: Vec<i16>,
    pub jitter: JitterBuffer,
    pub received: u64,
    pub sent: u64,
    /// Set once the browser is gone (ICE disconnected) or closed.
    pub closed: bool,
    /// When the offer was answered (ICE must connect within [`ICE_DEADLINE`]).
    born: Instant,
}

/// A browser that has not connected this long after its offer was answered
/// is taken as gone, so an offer that never connects (a flood of them,
/// say) does not hold a port and a media task.
pub const ICE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(8);

/// Why a browser's offer could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum WebRtcError {
    #[error("SDP offer: {0}")]
    Offer(String),
    #[error("media socket: {0}")]
    Io(#[from] std::io::Error),
}

impl WebRtcLeg {
    /// Answers a browser's offer on `ports` (the RTP port of the pair),
    /// advertising `public` as our address. Returns the leg and the answer.
    pub fn answer(offer: &str, ports: RtpPorts, public: IpAddr) -> Result<(WebRtcLeg, String), WebRtcError> {
        let offer = SdpOffer::from_sdp_string(offer).map_err(|e| WebRtcError::Offer(e.to_string()))?;
        static CRYPTO: std::sync::OnceLock<std::sync::Arc<str0m::crypto::CryptoProvider>> = std::sync::OnceLock::new();
        let crypto = CRYPTO.get_or_init(|| std::sync::Arc::new(str0m::crypto::from_feature_flags())).clone();
        let mut config = RtcConfig::new().set_crypto_provider(crypto).set_ice_lite(true).clear_codecs();
        config.codec_config().enable_pcmu(true, false);
        config.codec_config().enable_pcma(true, false);
        config.codec_config().add_config(TELEPHONE_EVENT.into(), None, Codec::Tele, Frequency::EIGHT_KHZ, None, Default::default());
        let now = Instant::now();
        let mut rtc = config.build(now);
        let local = SocketAddr::new(public, ports.port);
        let candidate = Candidate::host(local, "udp").map_err(|e| WebRtcError::Offer(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let answer = rtc.sdp_api().accept_offer(offer).map_err(|e| WebRtcError::Offer(e.to_string()))?.to_sdp_string();
        ports.rtp.set_nonblocking(true)?;
        let socket = UdpSocket::from_std(ports.rtp.try_clone()?)?;
        let mut leg = WebRtcLeg {
            rtc,
            socket,
            local,
            _ports: ports,
            mid: None,
            pt: None,
            alaw: false,
            connected: false,
            deadline: now,
            rtp_time: 0,
            last_key: None,
            keys: VecDeque::new(),
            heard: Vec::with_capacity(MAX_SAMPLES),
            jitter: JitterBuffer::new(3),
            received: 0,
            sent: 0,
            closed: false,
            born: now,
        };
        leg.drain();
        Ok((leg, answer))
    }

    pub fn set_jitter_depth(&mut self, frames: usize) {
        self.jitter = JitterBuffer::new(frames);
    }

    /// When str0m wants `on_timeout` at the latest.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the browser is gone: closed, disconnected, or never connected in time.
    pub fn gone(&self) -> bool {
        self.closed || (!self.connected && self.born.elapsed() > ICE_DEADLINE)
    }

    pub fn on_timeout(&mut self, now: Instant) {
        if self.rtc.handle_input(Input::Timeout(now)).is_ok() {
            self.drain();
        }
    }

    /// A datagram from the browser (STUN, DTLS, SRTP, SRTCP): audio decoded
    /// into `out`, keys queued for `next_key`.
    pub fn receive(&mut self, datagram: &[u8], from: SocketAddr, out: &mut [i16; MAX_SAMPLES]) -> Heard {
        let Ok(contents) = datagram.try_into() else { return Heard::Nothing };
        let input = Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source: from, destination: self.local, contents });
        self.heard.clear();
        if self.rtc.handle_input(input).is_err() {
            return Heard::Nothing;
        }
        self.drain();
        if let Some(k) = self.keys.pop_front() {
            return Heard::Key(k);
        }
        let n = self.heard.len().min(MAX_SAMPLES);
        if n == 0 {
            return Heard::Nothing;
        }
        out[..n].copy_from_slice(&self.heard[..n]);
        Heard::Audio(n)
    }

    /// Sends 8 kHz samples to the browser (dropped until DTLS is up).
    pub fn send_audio(&mut self, samples: &[i16]) {
        let (Some(mid), Some(pt), true) = (self.mid, self.pt, self.connected) else { return };
        let alaw = self.alaw;
        let payload: Vec<u8> = samples.iter().map(|s| if alaw { alaw_encode(*s) } else { ulaw_encode(*s) }).collect();
        let time = MediaTime::new(self.rtp_time, Frequency::EIGHT_KHZ);
        self.rtp_time += samples.len() as u64;
        if let Some(w) = self.rtc.writer(mid) {
            if w.write(pt, Instant::now(), time, payload).is_ok() {
                self.sent += 1;
            }
        }
        self.drain();
    }

    /// Closes the connection (the browser learns at once, not after ICE's 15 s).
    pub fn close(&mut self) {
        self.rtc.disconnect();
        self.drain();
        self.closed = true;
    }

    /// Carries out everything str0m has to do: send, report, remember the timer.
    fn drain(&mut self) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    self.deadline = t;
                    return;
                }
                Ok(Output::Transmit(t)) => {
                    // A full socket buffer drops the datagram, as the network would.
                    let _ = self.socket.try_send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(e)) => self.event(e),
                Err(e) => {
                    tracing::debug!(error = %e, "WebRTC leg failed");
                    self.closed = true;
                    return;
                }
            }
        }
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Connected => self.connected = true,
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => self.closed = true,
            Event::MediaAdded(m) if m.kind == MediaKind::Audio => {
                self.mid = Some(m.mid);
                if let Some(w) = self.rtc.writer(m.mid) {
                    let pick = |c: Codec| w.payload_params().find(|p| p.spec().codec == c).map(|p| p.pt());
                    let (pcmu, pcma) = (pick(Codec::PCMU), pick(Codec::PCMA));
                    self.alaw = pcmu.is_none() && pcma.is_some();
                    self.pt = pcmu.or(pcma);
                }
            }
            Event::MediaData(d) => match d.codec_extra {
                CodecExtra::Tele(ev) => {
                    // Every update and end packet repeats the event: one key per (time, event).
                    let id = (d.time.numer(), ev.event);
                    if self.last_key != Some(id) {
                        self.last_key = Some(id);
                        if let Some(&k) = KEYS.get(usize::from(ev.event)) {
                            self.keys.push_back(k as char);
                        }
                    }
                }
                _ => {
                    let alaw = d.params.spec().codec == Codec::PCMA;
                    let start = self.heard.len();
                    self.heard.extend(d.data.iter().map(|&b| if alaw { alaw_decode(b) } else { ulaw_decode(b) }));
                    self.received += 1;
                    let seq = (d.time.numer() / 160) as u16;
                    self.jitter.insert(seq, &self.heard[start..]);
                }
            },
            _ => {}
        }
    }
}

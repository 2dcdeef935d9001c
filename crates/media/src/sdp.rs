//! SDP (RFC 4566) for audio calls and the offer/answer rules of RFC 3264:
//! we speak PCMU and PCMA (G.711 needs no transcoding, and every phone and
//! browser has it) plus RFC 4733 telephone-event, in the clear or with
//! SRTP keyed by SDES (RFC 4568 `a=crypto`), as the leg's [`SrtpMode`]
//! says. Errors name the line.

use std::net::IpAddr;

use base64::Engine as _;

use crate::srtp::{MasterKey, Suite};

/// Whether a leg's media is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SrtpMode {
    /// In the clear; an offer that insists on SRTP (`RTP/SAVP`) is refused.
    Off,
    /// SRTP when the peer offers or accepts keys, else in the clear.
    #[default]
    Optional,
    /// SRTP or no call.
    Required,
}

impl SrtpMode {
    pub fn parse(s: &str) -> Option<SrtpMode> {
        match s {
            "off" => Some(SrtpMode::Off),
            "optional" => Some(SrtpMode::Optional),
            "required" => Some(SrtpMode::Required),
            _ => None,
        }
    }
}

/// The keys of an SRTP leg: ours protect what we send, theirs what they send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srtp {
    pub suite: Suite,
    pub local: MasterKey,
    pub remote: MasterKey,
}

/// One `a=crypto` line we can use.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Crypto {
    tag: u32,
    suite: Suite,
    key: MasterKey,
}

fn crypto_line(tag: u32, suite: Suite, key: &MasterKey) -> String {
    let inline = base64::engine::general_purpose::STANDARD.encode(key.to_bytes());
    format!("a=crypto:{tag} {} inline:{inline}\r\n", suite.name())
}

/// `<tag> <suite> inline:<key||salt>[|lifetime][|MKI:length]`; `None` for
/// suites we do not take or keys we cannot use (MKIs included).
fn parse_crypto(val: &str) -> Option<Crypto> {
    let mut p = val.split_whitespace();
    let tag: u32 = p.next()?.parse().ok()?;
    let suite = Suite::parse(p.next()?)?;
    let params = p.next()?.strip_prefix("inline:")?;
    let mut parts = params.split('|');
    let key = base64::engine::general_purpose::STANDARD.decode(parts.next()?).ok()?;
    if parts.any(|x| x.contains(':')) {
        // A master key identifier: not supported.
        return None;
    }
    Some(Crypto { tag, suite, key: MasterKey::from_bytes(&key)? })
}
/// What both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Where to send RTP.
    pub remote_ip: IpAddr,
    pub remote_port: u16,
    /// 0 (PCMU) or 8 (PCMA).
    pub payload_type: u8,
    /// The telephone-event payload type, if both sides have it.
    pub dtmf_payload_type: Option<u8>,
    pub direction: Direction,
    pub ptime_ms: u32,
    /// SRTP keys when the media is encrypted.
    pub srtp: Option<Srtp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    fn attr(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Our direction for theirs (RFC 3264 §6.1): they send only → we receive only.
    fn reverse(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("no audio stream")]
    NoAudio,
    #[error("no connection address for the audio stream")]
    NoAddress,
    #[error("no common codec: PCMU or PCMA required")]
    NoCommonCodec,
    #[error("secure media (SRTP with SDES keys) required")]
    SrtpRequired,
    #[error("secure media (SRTP) not accepted here")]
    SrtpRefused,
    #[error("no common SRTP crypto suite: AES_CM_128_HMAC_SHA1_80 or _32 with an inline key")]
    NoCommonCrypto,
}

/// The parts of a session description a media endpoint needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Audio {
    ip: Option<IpAddr>,
    port: u16,
    formats: Vec<u8>,
    /// (payload type, encoding name upper-case, clock rate)
    rtpmap: Vec<(u8, String, u32)>,
    direction: Direction,
    ptime: Option<u32>,
    /// `RTP/SAVP` (or another secure profile): the offerer insists on SRTP.
    secure: bool,
    crypto: Vec<Crypto>,
    /// `a=crypto` lines present, usable or not.
    crypto_offered: bool,
}

fn parse(sdp: &str) -> Result<Audio, SdpError> {
    let mut session_ip = None;
    let mut audio: Option<Audio> = None;
    let mut in_audio = false;
    let mut session_dir = Direction::SendRecv;
    for (i, raw) in sdp.lines().enumerate() {
        let line = i + 1;
        let bad = |message: &str| SdpError::Syntax { line, message: message.to_owned() };
        let l = raw.trim_end_matches('\r');
        if l.is_empty() {
            continue;
        }
        let (kind, value) = l.split_once('=').ok_or_else(|| bad("expected <type>=<value>"))?;
        if kind.len() != 1 {
            return Err(bad("the type is one letter"));
        }
        match kind {
            "c" => {
                let mut p = value.split_whitespace();
                let (net, _, addr) = (p.next(), p.next(), p.next());
                if net != Some("IN") {
                    return Err(bad("c= must be IN IP4 or IN IP6"));
                }
                let ip: IpAddr = addr.and_then(|a| a.split('/').next()).and_then(|a| a.parse().ok()).ok_or_else(|| bad("bad connection address"))?;
                match audio.as_mut().filter(|_| in_audio) {
                    Some(a) => a.ip = Some(ip),
                    None => session_ip = Some(ip),
                }
            }
            "m" => {
                let mut p = value.split_whitespace();
                let media = p.next().unwrap_or("");
                let port: u16 = p.next().and_then(|x| x.split('/').next()?.parse().ok()).ok_or_else(|| bad("bad port"))?;
                let proto = p.next().ok_or_else(|| bad("missing transport"))?;
                let formats: Vec<u8> = p.map(|f| f.parse().map_err(|_| bad("bad format"))).collect::<Result<_, _>>()?;
                in_audio = media == "audio" && audio.is_none();
                if in_audio {
                    let secure = proto.contains("SAVP");
                    audio = Some(Audio { ip: None, port, formats, rtpmap: Vec::new(), direction: session_dir, ptime: None, secure, crypto: Vec::new(), crypto_offered: false });
                }
            }
            "a" => {
                let (name, val) = value.split_once(':').unwrap_or((value, ""));
                let dir = match name {
                    "sendrecv" => Some(Direction::SendRecv),
                    "sendonly" => Some(Direction::SendOnly),
                    "recvonly" => Some(Direction::RecvOnly),
                    "inactive" => Some(Direction::Inactive),
                    _ => None,
                };
                let before_media = audio.is_none();
                match (audio.as_mut().filter(|_| in_audio), dir) {
                    (Some(a), Some(d)) => a.direction = d,
                    (None, Some(d)) if before_media => session_dir = d,
                    (Some(a), None) if name == "rtpmap" => {
                        let (pt, enc) = val.split_once(' ').ok_or_else(|| bad("bad rtpmap"))?;
                        let pt: u8 = pt.trim().parse().map_err(|_| bad("bad rtpmap payload type"))?;
                        let mut e = enc.trim().split('/');
                        let name = e.next().unwrap_or("").to_ascii_uppercase();
                        let rate: u32 = e.next().and_then(|r| r.parse().ok()).ok_or_else(|| bad("bad rtpmap clock rate"))?;
                        a.rtpmap.push((pt, name, rate));
                    }
                    (Some(a), None) if name == "ptime" => a.ptime = val.trim().parse().ok(),
                    (Some(a), None) if name == "crypto" => {
                        a.crypto_offered = true;
                        a.crypto.extend(parse_crypto(val));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let mut a = audio.ok_or(SdpError::NoAudio)?;
    if a.ip.is_none() {
        a.ip = session_ip;
    }
    Ok(a)
}

impl Audio {
    fn codec(&self, pt: u8) -> Option<(String, u32)> {
        match self.rtpmap.iter().find(|r| r.0 == pt) {
            Some((_, name, rate)) => Some((name.clone(), *rate)),
            None if pt == 0 => Some(("PCMU".into(), 8000)),
            None if pt == 8 => Some(("PCMA".into(), 8000)),
            None => None,
        }
    }

    fn dtmf(&self) -> Option<u8> {
        self.formats.iter().copied().find(|pt| self.codec(*pt).is_some_and(|(n, r)| n == "TELEPHONE-EVENT" && r == 8000))
    }

    fn negotiated(&self, payload_type: u8, direction: Direction) -> Result<Negotiated, SdpError> {
        Ok(Negotiated {
            remote_ip: self.ip.ok_or(SdpError::NoAddress)?,
            remote_port: self.port,
            payload_type,
            dtmf_payload_type: self.dtmf(),
            direction,
            ptime_ms: self.ptime.unwrap_or(20),
            srtp: None,
        })
    }

    /// The crypto line to take from an offer, as `mode` allows.
    fn choose_crypto(&self, mode: SrtpMode) -> Result<Option<&Crypto>, SdpError> {
        match mode {
            SrtpMode::Off if self.secure => Err(SdpError::SrtpRefused),
            SrtpMode::Off => Ok(None),
            _ if self.crypto.is_empty() && (self.secure || self.crypto_offered) => Err(SdpError::NoCommonCrypto),
            SrtpMode::Required if self.crypto.is_empty() => Err(SdpError::SrtpRequired),
            _ => Ok(self.crypto.first()),
        }
    }
}

/// What our side of a session description says.
struct Ours<'a> {
    ip: IpAddr,
    port: u16,
    session_id: u64,
    direction: Direction,
    /// Secure profile, and the crypto line (tag, suite, our key).
    secure: bool,
    crypto: Option<(u32, Suite, &'a MasterKey)>,
}

fn describe(ours: &Ours<'_>, payload_type: u8, dtmf: Option<u8>) -> String {
    let Ours { ip, port, session_id, direction, .. } = *ours;
    let fam = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let mut formats = vec![payload_type.to_string()];
    formats.extend(dtmf.map(|d| d.to_string()));
    let name = if payload_type == 8 { "PCMA" } else { "PCMU" };
    let proto = if ours.secure { "RTP/SAVP" } else { "RTP/AVP" };
    let mut s = format!(
        "v=0\r\no=hotline {session_id} {session_id} IN {fam} {ip}\r\ns=Hotline\r\nc=IN {fam} {ip}\r\nt=0 0\r\n\
         m=audio {port} {proto} {}\r\na=rtpmap:{payload_type} {name}/8000\r\n",
        formats.join(" ")
    );
    if let Some(d) = dtmf {
        s.push_str(&format!("a=rtpmap:{d} telephone-event/8000\r\na=fmtp:{d} 0-16\r\n"));
    }
    if let Some((tag, suite, key)) = ours.crypto {
        s.push_str(&crypto_line(tag, suite, key));
    }
    s.push_str(&format!("a=ptime:20\r\na={}\r\n", direction.attr()));
    s
}

/// Answers a remote offer in the clear (an offer that insists on SRTP is
/// refused): see [`answer_with`].
pub fn answer(offer: &str, our_ip: IpAddr, our_port: u16, session_id: u64) -> Result<(String, Negotiated), SdpError> {
    answer_with(offer, our_ip, our_port, session_id, SrtpMode::Off, &MasterKey { key: [0; 16], salt: [0; 14] })
}

/// Answers a remote offer: the first of its codecs we speak, in its order,
/// telephone-event if offered, the reverse of its direction; SRTP with the
/// first of its crypto lines we take and `local` as our key, as `mode`
/// allows (the answer keeps the offer's profile).
pub fn answer_with(offer: &str, our_ip: IpAddr, our_port: u16, session_id: u64, mode: SrtpMode, local: &MasterKey) -> Result<(String, Negotiated), SdpError> {
    let a = parse(offer)?;
    let pt = a
        .formats
        .iter()
        .copied()
        .find(|pt| a.codec(*pt).is_some_and(|(n, r)| (n == "PCMU" || n == "PCMA") && r == 8000))
        .ok_or(SdpError::NoCommonCodec)?;
    let (name, _) = a.codec(pt).unwrap_or_default();
    // Answer with the static payload type of the codec the offer named.
    let ours = if name == "PCMA" { 8 } else { 0 };
    let dir = a.direction.reverse();
    let crypto = a.choose_crypto(mode)?;
    let mut n = a.negotiated(ours, a.direction)?;
    n.srtp = crypto.map(|c| Srtp { suite: c.suite, local: local.clone(), remote: c.key.clone() });
    let our_side = Ours { ip: our_ip, port: our_port, session_id, direction: dir, secure: a.secure && crypto.is_some(), crypto: crypto.map(|c| (c.tag, c.suite, local)) };
    Ok((describe(&our_side, ours, n.dtmf_payload_type), n))
}

/// Our offer (to an agent's phone) in the clear: see [`offer_with`].
pub fn offer(our_ip: IpAddr, our_port: u16, session_id: u64) -> String {
    offer_with(our_ip, our_port, session_id, SrtpMode::Off, &MasterKey { key: [0; 16], salt: [0; 14] })
}

/// Our offer: PCMU, PCMA, telephone-event 101; with `local` as an
/// `AES_CM_128_HMAC_SHA1_80` key unless `mode` is off (`RTP/SAVP` when
/// required, best effort in `RTP/AVP` when optional).
pub fn offer_with(our_ip: IpAddr, our_port: u16, session_id: u64, mode: SrtpMode, local: &MasterKey) -> String {
    let fam = if our_ip.is_ipv4() { "IP4" } else { "IP6" };
    let proto = if mode == SrtpMode::Required { "RTP/SAVP" } else { "RTP/AVP" };
    let crypto = if mode == SrtpMode::Off { String::new() } else { crypto_line(1, Suite::AesCm128HmacSha1_80, local) };
    format!(
        "v=0\r\no=hotline {session_id} {session_id} IN {fam} {our_ip}\r\ns=Hotline\r\nc=IN {fam} {our_ip}\r\nt=0 0\r\n\
         m=audio {our_port} {proto} 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n{crypto}a=ptime:20\r\na=sendrecv\r\n"
    )
}

/// Reads the answer to our offer in the clear.
pub fn read_answer(answer: &str) -> Result<Negotiated, SdpError> {
    read_answer_with(answer, SrtpMode::Off, &MasterKey { key: [0; 16], salt: [0; 14] })
}

/// Reads the answer to an offer made with [`offer_with`] (`mode`, `local`).
pub fn read_answer_with(answer: &str, mode: SrtpMode, local: &MasterKey) -> Result<Negotiated, SdpError> {
    let a = parse(answer)?;
    let pt = a.formats.iter().copied().find(|pt| a.codec(*pt).is_some_and(|(n, _)| n == "PCMU" || n == "PCMA")).ok_or(SdpError::NoCommonCodec)?;
    let ours = if a.codec(pt).is_some_and(|(n, _)| n == "PCMA") { 8 } else { 0 };
    let mut n = a.negotiated(ours, a.direction)?;
    let theirs = a.crypto.iter().find(|c| c.tag == 1 && c.suite == Suite::AesCm128HmacSha1_80);
    n.srtp = match (mode, theirs) {
        (SrtpMode::Off, _) => None,
        (_, Some(c)) => Some(Srtp { suite: c.suite, local: local.clone(), remote: c.key.clone() }),
        (SrtpMode::Required, None) => return Err(SdpError::SrtpRequired),
        (SrtpMode::Optional, None) => None,
    };
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BARESIP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
        m=audio 42000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";

    #[test]
    fn answers_in_the_offerers_order_with_dtmf() {
        let (sdp, n) = answer(BARESIP, "127.0.0.1".parse().unwrap(), 20000, 7).unwrap();
        assert_eq!((n.payload_type, n.dtmf_payload_type, n.remote_port), (8, Some(101), 42000));
        assert!(sdp.contains("m=audio 20000 RTP/AVP 8 101\r\n"), "{sdp}");
        assert!(sdp.contains("a=sendrecv"));
        assert_eq!(read_answer(&sdp).unwrap().payload_type, 8, "our answer reads back");
    }

    #[test]
    fn hold_and_codecs_we_cannot_speak() {
        let held = BARESIP.replace("a=sendrecv", "a=sendonly");
        let (sdp, n) = answer(&held, "127.0.0.1".parse().unwrap(), 20000, 7).unwrap();
        assert_eq!(n.direction, Direction::SendOnly);
        assert!(sdp.contains("a=recvonly"));
        let opus_only = BARESIP.replace("RTP/AVP 8 0 101", "RTP/AVP 111").replace("a=rtpmap:101", "a=rtpmap:111 opus/48000/2\r\na=rtpmap:101");
        assert_eq!(answer(&opus_only, "127.0.0.1".parse().unwrap(), 1, 1), Err(SdpError::NoCommonCodec));
        // A dynamic payload type mapped to PCMU is understood.
        let dynamic = BARESIP.replace("RTP/AVP 8 0 101", "RTP/AVP 96").replace("a=rtpmap:101", "a=rtpmap:96 PCMU/8000\r\na=rtpmap:101");
        assert_eq!(answer(&dynamic, "127.0.0.1".parse().unwrap(), 1, 1).unwrap().1.payload_type, 0);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            answer("v=0\r\nc=IN IP4 nowhere\r\n", "127.0.0.1".parse().unwrap(), 1, 1),
            Err(SdpError::Syntax { line: 2, message: "bad connection address".into() })
        );
        assert_eq!(answer("v=0\r\nm=video 1 RTP/AVP 96\r\n", "127.0.0.1".parse().unwrap(), 1, 1), Err(SdpError::NoAudio));
        assert_eq!(answer("v=0\r\nm=audio 1 RTP/AVP 0\r\n", "127.0.0.1".parse().unwrap(), 1, 1), Err(SdpError::NoAddress));
        assert!(matches!(answer("v=0\r\nm=audio x RTP/AVP 0\r\n", "127.0.0.1".parse().unwrap(), 1, 1), Err(SdpError::Syntax { line: 2, .. })));
        assert!(matches!(answer("garbage", "127.0.0.1".parse().unwrap(), 1, 1), Err(SdpError::Syntax { line: 1, .. })));
        let o = offer("127.0.0.1".parse().unwrap(), 20002, 9);
        assert_eq!(read_answer(&o).unwrap().dtmf_payload_type, Some(101));
    }

    const SRTP_OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
        m=audio 42000 RTP/SAVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n\
        a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n\
        a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^31\r\na=sendrecv\r\n";

    fn ours() -> MasterKey {
        MasterKey { key: [0xaa; 16], salt: [0xbb; 14] }
    }

    #[test]
    fn srtp_offers_are_answered_with_our_key_as_the_mode_allows() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let (sdp, n) = answer_with(SRTP_OFFER, ip, 20000, 1, SrtpMode::Optional, &ours()).unwrap();
        let srtp = n.srtp.expect("encrypted");
        assert_eq!(srtp.suite, Suite::AesCm128HmacSha1_32, "the offerer's first choice");
        assert_eq!(srtp.remote.to_bytes(), (0u8..30).collect::<Vec<_>>());
        assert_eq!(srtp.local, ours());
        assert!(sdp.contains("m=audio 20000 RTP/SAVP 0 101\r\n"), "{sdp}");
        assert!(sdp.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:qqqqqqqqqqqqqqqqqqqqqru7u7u7u7u7u7u7u7u7\r\n"), "{sdp}");
        // Required: the same; off: refused.
        assert!(answer_with(SRTP_OFFER, ip, 20000, 1, SrtpMode::Required, &ours()).unwrap().1.srtp.is_some());
        assert_eq!(answer_with(SRTP_OFFER, ip, 20000, 1, SrtpMode::Off, &ours()), Err(SdpError::SrtpRefused));
        assert_eq!(answer(SRTP_OFFER, ip, 20000, 1), Err(SdpError::SrtpRefused));
        // A plain offer: fine unless SRTP is required.
        assert_eq!(answer_with(BARESIP, ip, 20000, 1, SrtpMode::Optional, &ours()).unwrap().1.srtp, None);
        assert_eq!(answer_with(BARESIP, ip, 20000, 1, SrtpMode::Required, &ours()), Err(SdpError::SrtpRequired));
        // Keys we cannot use: another suite, an MKI, a short key.
        for bad in ["a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd|2^20|1:4", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAEC"] {
            let offer = format!("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 0\r\n{bad}\r\n");
            assert_eq!(answer_with(&offer, ip, 20000, 1, SrtpMode::Optional, &ours()), Err(SdpError::NoCommonCrypto), "{bad}");
        }
        // Best effort: crypto in RTP/AVP is answered in RTP/AVP with our key.
        let best_effort = SRTP_OFFER.replace("RTP/SAVP", "RTP/AVP");
        let (sdp, n) = answer_with(&best_effort, ip, 20000, 1, SrtpMode::Optional, &ours()).unwrap();
        assert!(n.srtp.is_some() && sdp.contains("RTP/AVP 0 101") && sdp.contains("a=crypto:1 "), "{sdp}");
        assert_eq!(answer_with(&best_effort, ip, 20000, 1, SrtpMode::Off, &ours()).unwrap().1.srtp, None);
    }

    #[test]
    fn our_srtp_offer_reads_back() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let o = offer_with(ip, 20002, 9, SrtpMode::Required, &ours());
        assert!(o.contains("RTP/SAVP 0 8 101") && o.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), "{o}");
        // The phone answers with its own key under the same tag.
        let theirs = MasterKey { key: [1; 16], salt: [2; 14] };
        let (answer_sdp, _) = answer_with(&o, ip, 42000, 3, SrtpMode::Required, &theirs).unwrap();
        let n = read_answer_with(&answer_sdp, SrtpMode::Required, &ours()).unwrap();
        let srtp = n.srtp.unwrap();
        assert_eq!((srtp.local, srtp.remote), (ours(), theirs));
        // An answer in the clear is refused when SRTP is required.
        let plain = answer(&offer(ip, 20002, 9), ip, 42000, 3).unwrap().0;
        assert_eq!(read_answer_with(&plain, SrtpMode::Required, &ours()), Err(SdpError::SrtpRequired));
        assert_eq!(read_answer_with(&plain, SrtpMode::Optional, &ours()).unwrap().srtp, None);
        assert!(!offer_with(ip, 1, 1, SrtpMode::Off, &ours()).contains("crypto"));
    }
}

//! SDP (RFC 4566) for audio calls and the offer/answer rules of RFC 3264:
//! we speak PCMU and PCMA (G.711 needs no transcoding, and every phone and
//! browser has it) plus RFC 4733 telephone-event. Errors name the line.

use std::net::IpAddr;

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
                let _proto = p.next().ok_or_else(|| bad("missing transport"))?;
                let formats: Vec<u8> = p.map(|f| f.parse().map_err(|_| bad("bad format"))).collect::<Result<_, _>>()?;
                in_audio = media == "audio" && audio.is_none();
                if in_audio {
                    audio = Some(Audio { ip: None, port, formats, rtpmap: Vec::new(), direction: session_dir, ptime: None });
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
        })
    }
}

fn describe(ip: IpAddr, port: u16, payload_type: u8, dtmf: Option<u8>, direction: Direction, session_id: u64) -> String {
    let fam = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let mut formats = vec![payload_type.to_string()];
    formats.extend(dtmf.map(|d| d.to_string()));
    let name = if payload_type == 8 { "PCMA" } else { "PCMU" };
    let mut s = format!(
        "v=0\r\no=hotline {session_id} {session_id} IN {fam} {ip}\r\ns=Hotline\r\nc=IN {fam} {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {}\r\na=rtpmap:{payload_type} {name}/8000\r\n",
        formats.join(" ")
    );
    if let Some(d) = dtmf {
        s.push_str(&format!("a=rtpmap:{d} telephone-event/8000\r\na=fmtp:{d} 0-16\r\n"));
    }
    s.push_str(&format!("a=ptime:20\r\na={}\r\n", direction.attr()));
    s
}

/// Answers a remote offer: the first of its codecs we speak, in its order,
/// telephone-event if offered, the reverse of its direction.
pub fn answer(offer: &str, our_ip: IpAddr, our_port: u16, session_id: u64) -> Result<(String, Negotiated), SdpError> {
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
    let n = a.negotiated(ours, a.direction)?;
    Ok((describe(our_ip, our_port, ours, n.dtmf_payload_type, dir, session_id), n))
}

/// Our offer (to an agent's phone): PCMU, PCMA, telephone-event 101.
pub fn offer(our_ip: IpAddr, our_port: u16, session_id: u64) -> String {
    let fam = if our_ip.is_ipv4() { "IP4" } else { "IP6" };
    format!(
        "v=0\r\no=hotline {session_id} {session_id} IN {fam} {our_ip}\r\ns=Hotline\r\nc=IN {fam} {our_ip}\r\nt=0 0\r\n\
         m=audio {our_port} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n"
    )
}

/// Reads the answer to our offer.
pub fn read_answer(answer: &str) -> Result<Negotiated, SdpError> {
    let a = parse(answer)?;
    let pt = a.formats.iter().copied().find(|pt| a.codec(*pt).is_some_and(|(n, _)| n == "PCMU" || n == "PCMA")).ok_or(SdpError::NoCommonCodec)?;
    let ours = if a.codec(pt).is_some_and(|(n, _)| n == "PCMA") { 8 } else { 0 };
    a.negotiated(ours, a.direction)
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
}

//! The simulated phones' SDP: an offer (callers) or answer (agents) with
//! one G.711 codec and RFC 4733 telephone-event, and the peer's media read
//! back with `hotline-media`'s parser.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

use hotline_media::g711::{PT_PCMA, PT_PCMU};
pub use hotline_media::sdp::SdpError;

/// The payload type we use for telephone-event when we choose.
pub const DTMF_PT: u8 = 101;

/// Where and how to send to the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remote {
    pub addr: SocketAddr,
    /// 0 (PCMU) or 8 (PCMA).
    pub payload_type: u8,
    pub dtmf_payload_type: Option<u8>,
}

/// A session description for one audio stream at `ip:port` with codec
/// `payload_type` (PCMU or PCMA) and telephone-event as `dtmf`, sendrecv,
/// 20 ms packets.
pub fn describe(ip: IpAddr, port: u16, session: u64, payload_type: u8, dtmf: Option<u8>) -> String {
    let fam = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let codec = if payload_type == PT_PCMA {
        "PCMA"
    } else {
        "PCMU"
    };
    let mut s = String::with_capacity(256);
    // Writing into a String cannot fail.
    let _ = write!(
        s,
        "v=0\r\no=loadgen {session} {session} IN {fam} {ip}\r\ns=hotline-loadgen\r\nc=IN {fam} {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP {payload_type}"
    );
    if let Some(d) = dtmf {
        let _ = write!(s, " {d}");
    }
    let _ = write!(s, "\r\na=rtpmap:{payload_type} {codec}/8000\r\n");
    if let Some(d) = dtmf {
        let _ = write!(
            s,
            "a=rtpmap:{d} telephone-event/8000\r\na=fmtp:{d} 0-16\r\n"
        );
    }
    s.push_str("a=ptime:20\r\na=sendrecv\r\n");
    s
}

/// A caller's offer: PCMU and telephone-event 101.
pub fn offer(ip: IpAddr, port: u16, session: u64) -> String {
    describe(ip, port, session, PT_PCMU, Some(DTMF_PT))
}

/// The peer's media from its SDP (offer or answer): the first G.711 codec
/// it lists, its telephone-event type, its address.
pub fn remote(body: &[u8]) -> Result<Remote, SdpError> {
    let text = String::from_utf8_lossy(body);
    let n = hotline_media::sdp::read_answer(&text)?;
    Ok(Remote {
        addr: SocketAddr::new(n.remote_ip, n.remote_port),
        payload_type: n.payload_type,
        dtmf_payload_type: n.dtmf_payload_type,
    })
}

/// An agent's answer to the server's offer: the codec the offer put first,
/// and telephone-event with the offer's payload type if it has one.
pub fn answer(
    offer: &[u8],
    ip: IpAddr,
    port: u16,
    session: u64,
) -> Result<(String, Remote), SdpError> {
    let r = remote(offer)?;
    let pt = if r.payload_type == PT_PCMA {
        PT_PCMA
    } else {
        PT_PCMU
    };
    Ok((describe(ip, port, session, pt, r.dtmf_payload_type), r))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn offer_lists_pcmu_and_telephone_event() {
        let o = offer(LOCAL, 40000, 7);
        assert_eq!(
            o,
            "v=0\r\no=loadgen 7 7 IN IP4 127.0.0.1\r\ns=hotline-loadgen\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
             m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
             a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n"
        );
        // It reads back as what it says.
        let r = remote(o.as_bytes()).unwrap();
        assert_eq!(
            r,
            Remote {
                addr: "127.0.0.1:40000".parse().unwrap(),
                payload_type: 0,
                dtmf_payload_type: Some(101)
            }
        );
        // And the server's SDP code answers it with PCMU and DTMF.
        let (ans, n) = hotline_media::sdp::answer(&o, LOCAL, 20000, 1).unwrap();
        assert_eq!((n.payload_type, n.dtmf_payload_type), (0, Some(101)));
        assert_eq!(remote(ans.as_bytes()).unwrap().addr.port(), 20000);
    }

    #[test]
    fn answers_the_servers_offer() {
        let server = hotline_media::sdp::offer(LOCAL, 20002, 9);
        let (ans, r) = answer(server.as_bytes(), LOCAL, 40002, 3).unwrap();
        assert_eq!(r.addr, "127.0.0.1:20002".parse().unwrap());
        assert!(ans.contains("m=audio 40002 RTP/AVP 0 101\r\n"), "{ans}");
        assert_eq!(
            hotline_media::sdp::read_answer(&ans)
                .unwrap()
                .dtmf_payload_type,
            Some(101)
        );
        // A PCMA-first offer without DTMF is answered PCMA only.
        let pcma = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 30000 RTP/AVP 8 0\r\n";
        let (ans, r) = answer(pcma.as_bytes(), LOCAL, 40004, 3).unwrap();
        assert_eq!((r.payload_type, r.dtmf_payload_type), (8, None));
        assert!(
            ans.contains("m=audio 40004 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"),
            "{ans}"
        );
        assert!(!ans.contains("telephone-event"));
        assert!(answer(b"v=0\r\nm=video 1 RTP/AVP 96\r\n", LOCAL, 1, 1).is_err());
    }
}

//! RTP packets (RFC 3550 §5.1): a borrowed view of a received packet and
//! serialization into a caller's buffer.

/// Why a datagram is not an RTP packet we can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    #[error("shorter than an RTP header")]
    TooShort,
    #[error("RTP version {0}, expected 2")]
    Version(u8),
    #[error("header extension or CSRC list runs past the packet")]
    BadLength,
    #[error("padding longer than the payload")]
    BadPadding,
    #[error("buffer too small")]
    BufferTooSmall,
}

/// A received packet, borrowing the datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub payload: &'a [u8],
}

impl<'a> RtpPacket<'a> {
    pub fn parse(b: &'a [u8]) -> Result<RtpPacket<'a>, RtpError> {
        if b.len() < 12 {
            return Err(RtpError::TooShort);
        }
        let version = b[0] >> 6;
        if version != 2 {
            return Err(RtpError::Version(version));
        }
        let padding = b[0] & 0x20 != 0;
        let extension = b[0] & 0x10 != 0;
        let csrcs = usize::from(b[0] & 0x0f);
        let mut start = 12 + 4 * csrcs;
        if extension {
            let words = b.get(start + 2..start + 4).ok_or(RtpError::BadLength)?;
            start += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
        }
        let mut end = b.len();
        if start > end {
            return Err(RtpError::BadLength);
        }
        if padding {
            let pad = usize::from(b[end - 1]);
            if pad == 0 || pad > end - start {
                return Err(RtpError::BadPadding);
            }
            end -= pad;
        }
        Ok(RtpPacket {
            marker: b[1] & 0x80 != 0,
            payload_type: b[1] & 0x7f,
            sequence: u16::from_be_bytes([b[2], b[3]]),
            timestamp: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
            ssrc: u32::from_be_bytes([b[8], b[9], b[10], b[11]]),
            payload: &b[start..end],
        })
    }

    /// Writes the packet (no CSRCs, no extension) into `out`; returns its length.
    pub fn write(&self, out: &mut [u8]) -> Result<usize, RtpError> {
        let len = 12 + self.payload.len();
        let buf = out.get_mut(..len).ok_or(RtpError::BufferTooSmall)?;
        buf[0] = 0x80;
        buf[1] = (u8::from(self.marker) << 7) | (self.payload_type & 0x7f);
        buf[2..4].copy_from_slice(&self.sequence.to_be_bytes());
        buf[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        buf[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        buf[12..].copy_from_slice(self.payload);
        Ok(len)
    }
}

/// Extends 16-bit sequence numbers across wrap-around (RFC 3550 A.1 style).
#[derive(Debug, Clone, Copy, Default)]
pub struct SeqExtender {
    last: Option<u64>,
}

impl SeqExtender {
    /// The extended number of `seq`, the closest to the last one seen.
    pub fn extend(&mut self, seq: u16) -> u64 {
        let ext = match self.last {
            None => u64::from(seq),
            Some(last) => {
                let cycle = last & !0xffff;
                let candidates = [cycle.wrapping_sub(0x10000), cycle, cycle + 0x10000];
                candidates
                    .iter()
                    .map(|c| c.wrapping_add(u64::from(seq)))
                    .filter(|c| *c < u64::MAX / 2)
                    .min_by_key(|c| c.abs_diff(last))
                    .unwrap_or(u64::from(seq))
            }
        };
        self.last = Some(self.last.map_or(ext, |l| l.max(ext)));
        ext
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_and_known_bytes() {
        let p = RtpPacket { marker: true, payload_type: 0, sequence: 0xfffe, timestamp: 160, ssrc: 0xdeadbeef, payload: &[0xff; 160] };
        let mut buf = [0u8; 200];
        let n = p.write(&mut buf).unwrap();
        assert_eq!(n, 172);
        assert_eq!(&buf[..4], &[0x80, 0x80, 0xff, 0xfe]);
        assert_eq!(RtpPacket::parse(&buf[..n]).unwrap(), p);
        assert_eq!(p.write(&mut [0u8; 20]), Err(RtpError::BufferTooSmall));
    }

    #[test]
    fn csrcs_extensions_and_padding_are_skipped() {
        // V=2, P=1, X=1, CC=1; ext of 1 word; payload "ab"; 2 bytes of padding.
        let mut b = vec![0xb1, 0x08, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7];
        b.extend_from_slice(&[1, 2, 3, 4]); // CSRC
        b.extend_from_slice(&[0xbe, 0xde, 0, 1, 9, 9, 9, 9]); // extension header + 1 word
        b.extend_from_slice(b"ab");
        b.extend_from_slice(&[0, 2]);
        let p = RtpPacket::parse(&b).unwrap();
        assert_eq!((p.payload_type, p.payload), (8, &b"ab"[..]));
        assert_eq!(RtpPacket::parse(&b[..11]), Err(RtpError::TooShort));
        assert_eq!(RtpPacket::parse(&[0x40; 12]), Err(RtpError::Version(1)));
        assert_eq!(RtpPacket::parse(&[0x8f; 12]), Err(RtpError::BadLength));
        let mut bad_pad = vec![0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9];
        assert_eq!(RtpPacket::parse(&bad_pad), Err(RtpError::BadPadding));
        bad_pad.pop();
        bad_pad.push(0);
        assert_eq!(RtpPacket::parse(&bad_pad), Err(RtpError::BadPadding));
    }

    #[test]
    fn sequence_numbers_extend_across_wraps_and_reordering() {
        let mut e = SeqExtender::default();
        let got: Vec<u64> = [65534u16, 65535, 0, 65533, 1, 2].iter().map(|s| e.extend(*s)).collect();
        assert_eq!(got, [65534, 65535, 65536, 65533, 65537, 65538]);
    }

    proptest! {
        #[test]
        fn any_bytes_parse_or_fail_cleanly(b in prop::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(p) = RtpPacket::parse(&b) {
                prop_assert!(p.payload.len() <= b.len());
            }
        }
    }
}

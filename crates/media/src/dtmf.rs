//! Telephone events (RFC 4733): keys pressed on a phone, carried in RTP.
//!
//! All packets of one key press share an RTP timestamp; the first has the
//! marker bit, the last three the end bit. [`Receiver`] reports each key once,
//! when its first packet arrives (so a lost end packet loses nothing), and
//! ignores retransmissions. [`packets`] makes the packet sequence for one key.

/// Event codes 0–15: `0`–`9`, `*`, `#`, `A`–`D`.
const KEYS: &[u8; 16] = b"0123456789*#ABCD";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DtmfError {
    #[error("telephone-event payload shorter than 4 bytes")]
    TooShort,
}

/// One telephone-event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub code: u8,
    pub end: bool,
    pub volume: u8,
    /// In timestamp units (1/8000 s for audio at 8 kHz).
    pub duration: u16,
}

impl Event {
    pub fn parse(p: &[u8]) -> Result<Event, DtmfError> {
        let [code, flags, d0, d1, ..] = *p else { return Err(DtmfError::TooShort) };
        Ok(Event { code, end: flags & 0x80 != 0, volume: flags & 0x3f, duration: u16::from_be_bytes([d0, d1]) })
    }

    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [self.code, (u8::from(self.end) << 7) | (self.volume & 0x3f), d[0], d[1]]
    }

    /// The key of a DTMF event code; `None` for other events (tones, flash).
    pub fn key(self) -> Option<char> {
        KEYS.get(usize::from(self.code)).map(|&k| k as char)
    }
}

/// Turns a stream of telephone-event payloads into key presses.
#[derive(Debug, Default)]
pub struct Receiver {
    /// Timestamp of the last event reported.
    last: Option<u32>,
}

impl Receiver {
    /// Feeds one packet's timestamp and payload; returns the key when a new
    /// press starts.
    pub fn receive(&mut self, timestamp: u32, payload: &[u8]) -> Result<Option<char>, DtmfError> {
        let e = Event::parse(payload)?;
        if self.last == Some(timestamp) {
            return Ok(None);
        }
        let Some(key) = e.key() else { return Ok(None) };
        self.last = Some(timestamp);
        Ok(Some(key))
    }
}

/// The payloads for pressing `key` for `duration_ms`: one every 20 ms with a
/// growing duration, the first to be sent with the marker bit, then three
/// end packets. All go out with the same RTP timestamp.
pub fn packets(key: char, duration_ms: u32) -> Option<Vec<[u8; 4]>> {
    let code = KEYS.iter().position(|&k| k as char == key.to_ascii_uppercase())? as u8;
    let total = (duration_ms.max(40) * 8).min(u32::from(u16::MAX)) as u16;
    let mut out = Vec::new();
    let mut d = 160u16;
    while d < total {
        out.push(Event { code, end: false, volume: 10, duration: d }.to_bytes());
        d = d.saturating_add(160);
    }
    for _ in 0..3 {
        out.push(Event { code, end: true, volume: 10, duration: total }.to_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_press_is_one_key_whatever_the_retransmissions() {
        let mut r = Receiver::default();
        let p = packets('5', 100).unwrap();
        assert_eq!(p.len(), 4 + 3, "20 ms steps up to 100 ms, then 3 end packets");
        assert_eq!(Event::parse(&p[6]).unwrap(), Event { code: 5, end: true, volume: 10, duration: 800 });
        let keys: Vec<char> = p.iter().filter_map(|x| r.receive(1000, x).unwrap()).collect();
        assert_eq!(keys, ['5']);
        // The same key again is a new press (new timestamp).
        let again: Vec<char> = packets('5', 60).unwrap().iter().filter_map(|x| r.receive(2600, x).unwrap()).collect();
        assert_eq!(again, ['5']);
        // Only end packets arrive (the start was lost): still reported once.
        let late: Vec<char> = packets('#', 60).unwrap()[2..].iter().filter_map(|x| r.receive(5000, x).unwrap()).collect();
        assert_eq!(late, ['#']);
        assert_eq!(r.receive(6000, &[0, 0]), Err(DtmfError::TooShort));
        assert_eq!(r.receive(7000, &[16, 0x80, 0, 160]), Ok(None), "not a DTMF key");
        assert_eq!(packets('x', 100), None);
    }
}

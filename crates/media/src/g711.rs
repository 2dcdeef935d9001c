//! G.711: µ-law (PCMU, payload type 0) and A-law (PCMA, payload type 8),
//! the codecs every SIP phone and browser speaks.

pub const PT_PCMU: u8 = 0;
pub const PT_PCMA: u8 = 8;

/// Linear 16-bit PCM to µ-law.
pub fn ulaw_encode(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let mut s = i32::from(sample);
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    let s = s.min(CLIP) + BIAS;
    let v = (s >> 7) as u32 & 0xff;
    let exponent = if v == 0 { 0 } else { 31 - v.leading_zeros() };
    let mantissa = (s >> (exponent + 3)) & 0x0f;
    !(sign | ((exponent as i32) << 4) | mantissa) as u8
}

/// µ-law to linear 16-bit PCM.
pub fn ulaw_decode(b: u8) -> i16 {
    let b = !b;
    let exp = (b >> 4) & 7;
    let mant = i32::from(b & 0x0f);
    let mag = ((mant << 3) + 0x84) << exp;
    (if b & 0x80 != 0 { 0x84 - mag } else { mag - 0x84 }) as i16
}

/// Linear 16-bit PCM to A-law.
pub fn alaw_encode(sample: i16) -> u8 {
    const SEG_END: [i32; 8] = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
    let mut v = i32::from(sample) >> 3;
    let mask = if v >= 0 {
        0xd5
    } else {
        v = -v - 1;
        0x55
    };
    let Some(seg) = SEG_END.iter().position(|end| v <= *end) else { return 0x7f ^ mask };
    let mant = if seg < 2 { (v >> 1) & 0x0f } else { (v >> seg) & 0x0f };
    (((seg as i32) << 4 | mant) as u8) ^ mask
}

/// A-law to linear 16-bit PCM.
pub fn alaw_decode(b: u8) -> i16 {
    let b = b ^ 0x55;
    let exp = (b >> 4) & 7;
    let mant = i32::from(b & 0x0f);
    let mag = if exp == 0 { (mant << 4) + 8 } else { ((mant << 4) + 0x108) << (exp - 1) };
    (if b & 0x80 != 0 { mag } else { -mag }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(ulaw_encode(0), 0xff);
        assert_eq!(ulaw_decode(0xff), 0);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_encode(32767), 0x80);
        assert_eq!(ulaw_encode(-32768), 0x00);
        assert_eq!(alaw_encode(0), 0xd5);
        assert_eq!(alaw_decode(0xd5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xaa), 32256);
        assert_eq!(alaw_encode(32767), 0xaa);
    }

    #[test]
    fn every_code_survives_decode_then_encode() {
        for b in 0..=255u8 {
            assert_eq!(alaw_encode(alaw_decode(b)), b, "A-law {b:#x}");
            // µ-law has two zeros (0x7f and 0xff); both decode to 0.
            if b != 0x7f {
                assert_eq!(ulaw_encode(ulaw_decode(b)), b, "µ-law {b:#x}");
            }
        }
    }

    #[test]
    fn quantization_error_is_small_relative_to_the_signal() {
        for s in (-32000i32..32000).step_by(97) {
            let s = s as i16;
            for (enc, dec) in [(ulaw_encode as fn(i16) -> u8, ulaw_decode as fn(u8) -> i16), (alaw_encode, alaw_decode)] {
                let err = (i32::from(dec(enc(s))) - i32::from(s)).abs();
                assert!(err <= 16 + i32::from(s).abs() / 16, "{s}: error {err}");
            }
        }
    }
}

//! Checks on collected digits.

/// The 18-digit resident identity number (GB 11643-1999): 17 digits and an
/// ISO 7064 MOD 11-2 check character (`0`-`9` or `X`; on a phone keypad `*`
/// stands for `X`).
pub fn is_valid_chinese_id(s: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [u8; 11] = *b"10X98765432";
    let b = s.as_bytes();
    if b.len() != 18 {
        return false;
    }
    let mut sum = 0u32;
    for (i, w) in WEIGHTS.iter().enumerate() {
        match b.get(i) {
            Some(d @ b'0'..=b'9') => sum += u32::from(d - b'0') * w,
            _ => return false,
        }
    }
    let expected = CHECK[(sum % 11) as usize];
    match b.get(17) {
        Some(b'*') | Some(b'x') => expected == b'X',
        Some(&c) => c == expected,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit() {
        // The example number of GB 11643-1999.
        assert!(is_valid_chinese_id("11010519491231002X"));
        assert!(is_valid_chinese_id("11010519491231002*"));
        assert!(!is_valid_chinese_id("110105194912310021"));
        assert!(!is_valid_chinese_id("1101051949123100"));
        assert!(!is_valid_chinese_id("1101051949123100AX"));
    }
}

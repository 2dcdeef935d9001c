//! The one notion of time the sans-IO cores share (routing, calls, the
//! guard): a count of milliseconds since an epoch the driver chooses.
//! Nothing here reads a clock; drivers pass `Time` in, tests advance it by
//! hand, so every decision is reproducible.

use std::fmt;

/// Milliseconds since an epoch the driver chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

impl Time {
    /// `self + ms`, saturating.
    pub fn plus(self, ms: u64) -> Time {
        Time(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self`, 0 if `earlier` is later.
    pub fn since(self, earlier: Time) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Time;

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(Time(u64::MAX - 1).plus(5), Time(u64::MAX));
        assert_eq!(Time(3).since(Time(10)), 0);
        assert_eq!(Time(10).since(Time(3)), 7);
        assert_eq!(Time(250).to_string(), "250ms");
    }
}

//! Opening hours: weekly time ranges in a fixed UTC offset, with holidays
//! (closed all day) and extra working days (open on a weekend, as when
//! Chinese public holidays move a working day to a Saturday).

use serde::{Deserialize, Serialize};

/// A week of opening hours.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Offset of local time from UTC, in minutes. Default 480 (China Standard Time).
    #[serde(default = "cst")]
    pub utc_offset_minutes: i32,
    pub open: Vec<Hours>,
    /// Local dates (`YYYY-MM-DD`) closed all day.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Local dates open with the hours of `workday_hours_from` (a weekday).
    #[serde(default)]
    pub extra_workdays: Vec<String>,
    /// Weekday (1 = Monday … 7 = Sunday) whose hours apply on extra workdays. Default 1.
    #[serde(default = "monday")]
    pub workday_hours_from: u8,
}

/// Open on `days` from `from` to `to` (local `HH:MM`; `to` after `from`,
/// or `to` before `from` for a range across midnight).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// 1 = Monday … 7 = Sunday.
    pub days: Vec<u8>,
    pub from: String,
    pub to: String,
}

fn cst() -> i32 {
    480
}
fn monday() -> u8 {
    1
}

/// Parses `HH:MM` (00:00–24:00) into minutes of the day.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 || h == 24 && m == 0).then_some(h * 60 + m)
}

impl Schedule {
    /// Problems with the schedule's fields, as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        for (i, h) in self.open.iter().enumerate() {
            if h.days.is_empty() || h.days.iter().any(|d| !(1..=7).contains(d)) {
                v.push((format!("open[{i}].days"), "days are 1 (Monday) to 7 (Sunday)".into()));
            }
            for (f, t) in [("from", &h.from), ("to", &h.to)] {
                if parse_hhmm(t).is_none() {
                    v.push((format!("open[{i}].{f}"), format!("`{t}` is not HH:MM")));
                }
            }
        }
        for (f, list) in [("holidays", &self.holidays), ("extra_workdays", &self.extra_workdays)] {
            for (i, d) in list.iter().enumerate() {
                if parse_date(d).is_none() {
                    v.push((format!("{f}[{i}]"), format!("`{d}` is not YYYY-MM-DD")));
                }
            }
        }
        if self.utc_offset_minutes.abs() > 14 * 60 {
            v.push(("utc_offset_minutes".into(), "must be between -840 and 840".into()));
        }
        v
    }

    /// Whether the center is open at `unix_ms`.
    pub fn is_open(&self, unix_ms: u64) -> bool {
        let local = unix_ms as i64 / 60_000 + i64::from(self.utc_offset_minutes);
        let day = local.div_euclid(1440);
        let minute = local.rem_euclid(1440) as u32;
        // A range across midnight that began yesterday also counts.
        self.open_on(day, minute) || self.open_on_from_yesterday(day - 1, minute)
    }

    /// The weekday (1–7) whose hours apply on `day`, or `None` when closed all day.
    fn hours_day(&self, day: i64) -> Option<u8> {
        let date = date_of(day);
        if self.holidays.iter().any(|d| parse_date(d) == Some(date)) {
            return None;
        }
        if self.extra_workdays.iter().any(|d| parse_date(d) == Some(date)) {
            return Some(self.workday_hours_from);
        }
        // 1970-01-01 was a Thursday (4).
        Some(((day + 3).rem_euclid(7) + 1) as u8)
    }

    fn open_on(&self, day: i64, minute: u32) -> bool {
        let Some(wd) = self.hours_day(day) else { return false };
        self.open.iter().filter(|h| h.days.contains(&wd)).any(|h| match (parse_hhmm(&h.from), parse_hhmm(&h.to)) {
            (Some(f), Some(t)) if f <= t => f <= minute && minute < t,
            (Some(f), Some(_)) => minute >= f,
            _ => false,
        })
    }

    fn open_on_from_yesterday(&self, yesterday: i64, minute: u32) -> bool {
        let Some(wd) = self.hours_day(yesterday) else { return false };
        self.open.iter().filter(|h| h.days.contains(&wd)).any(|h| match (parse_hhmm(&h.from), parse_hhmm(&h.to)) {
            (Some(f), Some(t)) if t < f => minute < t,
            _ => false,
        })
    }
}

/// `YYYY-MM-DD` → (year, month, day), checked.
fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut it = s.split('-');
    let (y, m, d) = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?);
    if it.next().is_some() || !is_date(y, m, d) {
        return None;
    }
    Some((y, m, d))
}

/// Whether `y-m-d` is a date (2026-02-30 is not).
pub fn is_date(y: i64, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Civil date → days since 1970-01-01, proleptic Gregorian (H. Hinnant's
/// `days_from_civil`); the inverse of [`date_of`].
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((i64::from(m) + 9) % 12) + 2) / 5 + i64::from(d) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Days since 1970-01-01 → civil date `(year, month, day)`, proleptic
/// Gregorian (H. Hinnant's `civil_from_days`).
pub fn date_of(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix ms of a China Standard Time wall-clock moment.
    fn cst(y: i64, m: u32, d: u32, hh: u32, mm: u32) -> u64 {
        let day = days_from_civil(y, m, d);
        ((day * 1440 + i64::from(hh * 60 + mm) - 480) * 60_000) as u64
    }

    fn office() -> Schedule {
        serde_json::from_str(
            r#"{ "open": [ { "days": [1,2,3,4,5], "from": "09:00", "to": "18:00" },
                           { "days": [6], "from": "22:00", "to": "02:00" } ],
                 "holidays": ["2026-10-01"], "extra_workdays": ["2026-09-27"] }"#,
        )
        .unwrap()
    }

    #[test]
    fn civil_days_and_dates_are_inverse() {
        for day in (-800_000..800_000).step_by(997) {
            let (y, m, d) = date_of(day);
            assert!(is_date(y, m, d));
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert!(!is_date(2026, 2, 29) && is_date(2028, 2, 29));
    }

    #[test]
    fn weekday_hours_in_china_standard_time() {
        let s = office();
        // Monday 2026-11-23.
        assert!(!s.is_open(cst(2026, 11, 23, 8, 59)));
        assert!(s.is_open(cst(2026, 11, 23, 9, 0)));
        assert!(s.is_open(cst(2026, 11, 23, 17, 59)));
        assert!(!s.is_open(cst(2026, 11, 23, 18, 0)));
        // Sunday is closed.
        assert!(!s.is_open(cst(2026, 11, 22, 12, 0)));
    }

    #[test]
    fn ranges_across_midnight_and_holidays() {
        let s = office();
        // Saturday 2026-11-28 22:00 to Sunday 02:00.
        assert!(s.is_open(cst(2026, 11, 28, 23, 30)));
        assert!(s.is_open(cst(2026, 11, 29, 1, 59)));
        assert!(!s.is_open(cst(2026, 11, 29, 2, 0)));
        // National Day (a Thursday) is a holiday ...
        assert!(!s.is_open(cst(2026, 10, 1, 10, 0)));
        // ... and Sunday 2026-09-27 is worked with Monday's hours.
        assert!(s.is_open(cst(2026, 9, 27, 10, 0)));
    }

    #[test]
    fn bad_fields_are_named() {
        let s: Schedule = serde_json::from_str(
            r#"{ "open": [ { "days": [8], "from": "9:00", "to": "25:00" } ], "holidays": ["2026-02-30"] }"#,
        )
        .unwrap();
        let fields: Vec<String> = s.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["open[0].days", "open[0].to", "holidays[0]"]);
    }
}

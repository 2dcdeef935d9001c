//! Holidays from an iCalendar file. Each all-day event (`DTSTART;VALUE=DATE`,
//! `DTEND` exclusive, or one day without it) is a holiday on each of its
//! days, unless its name says it is a working day — the make-up workdays of
//! Chinese public holidays (`补班`, `上班`, "working day"), which become
//! moved workdays. Timed events and other components are ignored.
//!
//! Parsing is the `icalendar` crate's; this module only reads dates.

use std::fmt;

use crate::schedule::{date_of, days_from_civil, is_date};

/// A day the file names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The event's name (`SUMMARY`).
    pub name: String,
    /// A working day (make-up day) rather than a holiday.
    pub workday: bool,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcalError(pub String);

impl fmt::Display for IcalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an iCalendar file: {}", self.0)
    }
}

impl std::error::Error for IcalError {}

/// The longest event read (days); a longer one is taken as a mistake.
const MAX_EVENT_DAYS: i64 = 31;

/// Every all-day event's days in `text`, sorted by date.
pub fn days(text: &str) -> Result<Vec<Day>, IcalError> {
    let unfolded = icalendar::parser::unfold(text);
    if !unfolded.trim_start_matches('\u{feff}').trim_start().starts_with("BEGIN:VCALENDAR") {
        return Err(IcalError("it does not start with BEGIN:VCALENDAR".into()));
    }
    let cal = icalendar::parser::read_calendar(&unfolded).map_err(IcalError)?;
    let mut out = Vec::new();
    for event in cal.components.iter().filter(|c| c.name.as_str() == "VEVENT") {
        let prop = |name: &str| event.properties.iter().find(|p| p.name.as_str() == name).map(|p| p.val.as_str().trim().to_owned());
        let Some(start) = prop("DTSTART").and_then(|v| day_of(&v)) else { continue };
        let end = prop("DTEND").and_then(|v| day_of(&v)).unwrap_or(start + 1);
        let name = prop("SUMMARY").unwrap_or_default();
        let workday = ["补班", "上班", "调休上班", "working day", "workday"].iter().any(|w| name.to_lowercase().contains(w));
        let n = (end - start).clamp(1, MAX_EVENT_DAYS);
        for i in 0..n {
            out.push(Day { date: date_text(start + i), name: name.clone(), workday });
        }
    }
    out.sort_by(|a, b| a.date.cmp(&b.date));
    out.dedup_by(|a, b| a.date == b.date && a.workday == b.workday);
    Ok(out)
}

/// `20261001` or `20261001T000000Z` (the date part of a timed start), as
/// days since 1970-01-01; `None` for what is not a date (2026-02-30).
fn day_of(v: &str) -> Option<i64> {
    let d = v.get(..8)?;
    if !d.bytes().all(|b| b.is_ascii_digit()) || v.len() > 8 && !v[8..].starts_with('T') {
        return None;
    }
    let (y, m, day) = (d[..4].parse().ok()?, d[4..6].parse().ok()?, d[6..8].parse().ok()?);
    is_date(y, m, day).then(|| days_from_civil(y, m, day))
}

/// `YYYY-MM-DD` of a day count.
fn date_text(day: i64) -> String {
    let (y, m, d) = date_of(day);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::days;

    const CN_2026: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//holidays//CN\r\n\
BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261008\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20260927\r\nSUMMARY:国庆节补班\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:3\r\nDTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270102\r\nSUMMARY:元旦\r\n DESCRIPTION:folded\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn holidays_span_their_days_and_make_up_days_are_workdays() {
        let d = days(CN_2026).unwrap();
        let holidays: Vec<&str> = d.iter().filter(|x| !x.workday).map(|x| x.date.as_str()).collect();
        assert_eq!(holidays, ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07", "2026-12-31", "2027-01-01"]);
        let work: Vec<(&str, &str)> = d.iter().filter(|x| x.workday).map(|x| (x.date.as_str(), x.name.as_str())).collect();
        assert_eq!(work, [("2026-09-27", "国庆节补班")]);
    }

    #[test]
    fn what_is_not_a_calendar_is_refused_and_odd_events_are_skipped() {
        assert!(days("hello").is_err());
        let odd = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260230\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        // Neither garbage nor 2026-02-30 is a day.
        assert_eq!(days(odd).unwrap().len(), 0);
    }
}

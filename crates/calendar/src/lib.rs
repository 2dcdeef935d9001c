//! # hotline-calendar: when the center is open
//!
//! - [`Schedule`]: weekly opening hours in a fixed UTC offset, with holidays
//!   (closed all day) and moved workdays (open on a weekend, as when Chinese
//!   public holidays move a working day to a Saturday). IVR `schedule` nodes
//!   use one inline or by name (a calendar kept in the store); later, SLA
//!   clocks count business time by the same rules.
//! - [`ical`]: holidays and moved workdays read from an iCalendar (`.ics`)
//!   file, such as the published calendar of China's public holidays.
//!
//! Nothing here reads a clock: times come in as milliseconds since the Unix
//! epoch.

pub mod ical;
mod schedule;

pub use schedule::{date_of, days_from_civil, is_date, parse_hhmm, Hours, Schedule};

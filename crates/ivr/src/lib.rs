//! # hotline-ivr: IVR flows as data
//!
//! - [`Flow`]: the document a business edits — nodes joined by names:
//!   `play`, `menu`, `collect` (with the 18-digit ID check), `say` (numbers,
//!   digits, amounts, dates in Chinese and English), `set`, `condition`,
//!   `schedule` (weekly hours, holidays, moved workdays), `lookup` (a backend
//!   answer with timeout and fallback), `language`, and the exits `enqueue`,
//!   `transfer`, `voicemail`, `hangup`.
//! - [`validate`]: every problem before publishing, with node id and field:
//!   unknown targets, unreachable nodes, missing prompts, menus without
//!   choices, loops with no way out.
//! - [`simulate`]: a flow run with a scripted caller (keys, time, lookup
//!   answers) through the real interpreter, every step written down.
//! - [`Session`]: the sans-IO interpreter. `handle(now, input)` with the
//!   caller's keys, prompt ends and time; `poll_output()` for what to play
//!   and where the caller goes; `next_deadline()` for the next timeout.
//!
//! Keys barge in: a key during a menu's or collect's prompt stops it. A
//! menu or collect that gets no key within `timeout_secs` after its prompt,
//! or a wrong one, is offered again up to `retries` times (a wrong key
//! first plays `invalid_prompt` when there is one), then goes to
//! `on_failure`.

mod digits;
mod flow;
mod say;
mod session;
mod simulate;
mod validate;

pub use digits::is_valid_chinese_id;
pub use flow::{Flow, Node, Position, Validation};
pub use say::{say, Lang, SayAs};
pub use hotline_calendar::{date_of, parse_hhmm, Hours, Schedule};
pub use session::{Input, Output, Session, Time, Waiting};
pub use simulate::{simulate, Event, Script, Trace};
pub use validate::{validate, FlowError};

//! Calls out through a trunk. An agent's phone dialling an outside number
//! is checked against the calling permissions ([`hotline_calls::outside`]:
//! class, prefixes, calls at once, minutes a day) before anything rings;
//! every call through a trunk counts against the trunk's cap while it
//! lasts. Talk time is added to the extension's day when the call ends.

use std::time::Instant;

use hotline_calls::outside::NumberClass;
use hotline_calls::CallId;

use super::Server;

/// An outside call placed by an agent's phone.
pub(super) struct OutsideCall {
    pub extension: String,
    /// When the outside party answered.
    pub answered: Option<Instant>,
}

impl Server {
    /// Whether `number` is one of ours: a registered phone or an agent's extension.
    pub(super) fn is_internal(&self, number: &str) -> bool {
        !self.registrar.lookup(number, self.now()).is_empty() || self.extensions.values().any(|e| e == number)
    }

    /// The center's day number now (for the daily budget).
    fn today(&self) -> i64 {
        let secs = crate::now_ms() / 1000 + i64::from(self.opts.utc_offset_minutes) * 60;
        secs.div_euclid(86_400)
    }

    /// May `extension` dial `number` out? `Err` is the refusal to send.
    pub(super) fn permit_outside(&mut self, extension: &str, number: &str) -> Result<NumberClass, (u16, &'static str)> {
        match self.outside.check(extension, number, self.today()) {
            Ok(class) => Ok(class),
            Err(denied) => {
                self.outside_denied += 1;
                tracing::warn!(%extension, number = %crate::mask_phone(number), why = denied.code(), "outside call refused");
                Err(denied.response())
            }
        }
    }

    /// An outside call of `extension` starts (it was permitted).
    pub(super) fn outside_started(&mut self, call: CallId, extension: &str) {
        self.outside.started(extension);
        if let Some(c) = self.calls.get_mut(&call) {
            c.outside = Some(OutsideCall { extension: extension.to_owned(), answered: None });
        }
    }

    /// The outside party of `call` answered.
    pub(super) fn outside_answered(&mut self, call: CallId) {
        if let Some(o) = self.calls.get_mut(&call).and_then(|c| c.outside.as_mut()) {
            o.answered.get_or_insert_with(Instant::now);
        }
    }

    /// `call` is over: its trunk and the extension's count are released,
    /// its talk time added to the extension's day.
    pub(super) fn outside_ended(&mut self, outside: Option<OutsideCall>, trunk: Option<usize>) {
        if let Some(n) = trunk.and_then(|t| self.trunk_calls.get_mut(t)) {
            *n = n.saturating_sub(1);
        }
        if let Some(o) = outside {
            let talk = o.answered.map_or(0, |t| t.elapsed().as_millis() as u64);
            let day = self.today();
            self.outside.ended(&o.extension, talk, day);
        }
    }

    /// The first trunk with room for one more call, if any.
    pub(super) fn trunk_with_room(&self) -> Option<usize> {
        self.trunks.iter().enumerate().find_map(|(i, t)| {
            let cap = t.cfg.max_concurrent;
            (cap == 0 || self.trunk_calls.get(i).copied().unwrap_or(0) < cap).then_some(i)
        })
    }
}

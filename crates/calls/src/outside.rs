//! Outside calls placed by agents' phones: who may dial what, how many at
//! once and how many minutes a day — the limits that cap what a guessed
//! extension password is worth to a toll-fraud caller. Sans-IO: the
//! driver says when a call starts and ends and which day it is.
//!
//! A number is classified by its digits (Chinese dialling plan first,
//! generic enough elsewhere): emergency numbers; `00…` or `+…` abroad
//! (`0086`/`+86` is home again); `0…` long distance unless it starts with
//! the center's own area code; Chinese mobiles (`1[3-9]` and 9 more
//! digits) and 400/800 numbers national; other 3–8 digit numbers local (service numbers such
//! as 12345 or 95588 included). Anything else is not a number we dial.

use std::collections::HashMap;

/// How far a number reaches; classes are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    /// Extensions and IVR numbers only: nothing outside.
    Internal,
    Local,
    National,
    International,
}

impl Reach {
    pub fn parse(s: &str) -> Option<Reach> {
        Some(match s {
            "internal" => Reach::Internal,
            "local" => Reach::Local,
            "national" => Reach::National,
            "international" => Reach::International,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Reach::Internal => "internal",
            Reach::Local => "local",
            Reach::National => "national",
            Reach::International => "international",
        }
    }
}

/// What a dialled number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberClass {
    Emergency,
    /// An outside number of this reach (never `Internal`).
    Outside(Reach),
}

/// Classifies `number` (digits, optionally with a leading `+`).
pub fn classify(number: &str, area_code: &str, emergency: &[String]) -> Option<NumberClass> {
    if emergency.iter().any(|e| e == number) {
        return Some(NumberClass::Emergency);
    }
    let (plus, digits) = match number.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    if digits.len() < 3 || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let abroad = if plus { Some(digits) } else { digits.strip_prefix("00") };
    if let Some(rest) = abroad {
        return match rest.strip_prefix("86") {
            Some(home) if !home.is_empty() => classify_home(&format!("0{}", home.trim_start_matches('0')), home, area_code),
            _ => Some(NumberClass::Outside(Reach::International)),
        };
    }
    classify_home(digits, digits, area_code)
}

/// A number inside the country: `with_zero` as dialled with the trunk
/// prefix, `bare` without it (for mobiles).
fn classify_home(with_zero: &str, bare: &str, area_code: &str) -> Option<NumberClass> {
    let mobile = |d: &str| d.len() == 11 && d.starts_with('1') && matches!(d.as_bytes().get(1), Some(b'3'..=b'9'));
    let shared_cost = |d: &str| d.len() == 10 && (d.starts_with("400") || d.starts_with("800"));
    if mobile(bare) || shared_cost(bare) {
        return Some(NumberClass::Outside(Reach::National));
    }
    if with_zero.starts_with('0') && with_zero.len() >= 10 {
        let local = !area_code.is_empty() && with_zero.starts_with(area_code);
        return Some(NumberClass::Outside(if local { Reach::Local } else { Reach::National }));
    }
    if (3..=8).contains(&bare.len()) && !bare.starts_with('0') {
        return Some(NumberClass::Outside(Reach::Local));
    }
    None
}

/// What some extensions may dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Extensions; a trailing `*` matches a prefix. Empty in the default rule.
    pub extensions: Vec<String>,
    pub reach: Reach,
    pub allow_prefixes: Vec<String>,
    pub block_prefixes: Vec<String>,
    /// 0: no cap.
    pub max_concurrent: u32,
    /// 0: no budget.
    pub daily_minutes: u32,
}

impl Rule {
    fn names(&self, extension: &str) -> bool {
        names(&self.extensions, extension)
    }
}

/// Whether a list of extensions (`8001`, or `80*` for a prefix) names `extension`.
pub fn names(patterns: &[String], extension: &str) -> bool {
    patterns.iter().any(|e| match e.strip_suffix('*') {
        Some(prefix) => extension.starts_with(prefix),
        None => e == extension,
    })
}

/// The whole policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// For extensions no rule names.
    pub default: Rule,
    pub rules: Vec<Rule>,
    pub emergency: Vec<String>,
    pub area_code: String,
}

impl Policy {
    /// Nothing outside for anyone but emergency numbers.
    pub fn internal_only() -> Policy {
        Policy {
            default: Rule { extensions: Vec::new(), reach: Reach::Internal, allow_prefixes: Vec::new(), block_prefixes: Vec::new(), max_concurrent: 0, daily_minutes: 0 },
            rules: Vec::new(),
            emergency: Vec::new(),
            area_code: String::new(),
        }
    }

    fn rule(&self, extension: &str) -> &Rule {
        self.rules.iter().find(|r| r.names(extension)).unwrap_or(&self.default)
    }
}

/// Why an outside call was refused; `reason` is the SIP reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    NotANumber,
    /// The number reaches further than the extension may.
    NotPermitted(Reach),
    BlockedPrefix,
    TooManyCalls,
    BudgetSpent,
}

impl Denied {
    /// `(status, reason)` for the refusal.
    pub fn response(self) -> (u16, &'static str) {
        match self {
            Denied::NotANumber => (484, "Address Incomplete"),
            Denied::NotPermitted(Reach::International) => (403, "International Calls Not Permitted"),
            Denied::NotPermitted(Reach::National) => (403, "National Calls Not Permitted"),
            Denied::NotPermitted(_) => (403, "Outside Calls Not Permitted"),
            Denied::BlockedPrefix => (403, "Number Blocked"),
            Denied::TooManyCalls => (486, "Too Many Outside Calls"),
            Denied::BudgetSpent => (403, "Daily Outside Minutes Spent"),
        }
    }

    /// A stable code for logs and metrics.
    pub fn code(self) -> &'static str {
        match self {
            Denied::NotANumber => "not_a_number",
            Denied::NotPermitted(_) => "not_permitted",
            Denied::BlockedPrefix => "blocked_prefix",
            Denied::TooManyCalls => "too_many_calls",
            Denied::BudgetSpent => "budget_spent",
        }
    }
}

/// An extension's outside calls: live ones, and talk time today.
#[derive(Debug, Default, Clone, Copy)]
struct Usage {
    active: u32,
    day: i64,
    used_ms: u64,
}

/// The policy and what each extension used.
#[derive(Debug)]
pub struct OutsideCalls {
    policy: Policy,
    usage: HashMap<String, Usage>,
}

impl OutsideCalls {
    pub fn new(policy: Policy) -> OutsideCalls {
        OutsideCalls { policy, usage: HashMap::new() }
    }

    /// May `extension` dial `number` on `day` (the driver's day number)?
    pub fn check(&self, extension: &str, number: &str, day: i64) -> Result<NumberClass, Denied> {
        let p = &self.policy;
        let class = classify(number, &p.area_code, &p.emergency).ok_or(Denied::NotANumber)?;
        if class == NumberClass::Emergency {
            return Ok(class);
        }
        let NumberClass::Outside(reach) = class else { return Ok(class) };
        let rule = p.rule(extension);
        let starts = |list: &[String]| list.iter().any(|pre| number.starts_with(pre.as_str()));
        if starts(&rule.block_prefixes) {
            return Err(Denied::BlockedPrefix);
        }
        if reach > rule.reach && !starts(&rule.allow_prefixes) {
            return Err(Denied::NotPermitted(reach));
        }
        let usage = self.usage.get(extension).copied().unwrap_or_default();
        if rule.max_concurrent > 0 && usage.active >= rule.max_concurrent {
            return Err(Denied::TooManyCalls);
        }
        let used = if usage.day == day { usage.used_ms } else { 0 };
        if rule.daily_minutes > 0 && used >= u64::from(rule.daily_minutes) * 60_000 {
            return Err(Denied::BudgetSpent);
        }
        Ok(class)
    }

    /// Minutes left today for `extension` (`None`: no budget).
    pub fn minutes_left(&self, extension: &str, day: i64) -> Option<u64> {
        let rule = self.policy.rule(extension);
        if rule.daily_minutes == 0 {
            return None;
        }
        let u = self.usage.get(extension).copied().unwrap_or_default();
        let used = if u.day == day { u.used_ms } else { 0 };
        Some((u64::from(rule.daily_minutes) * 60_000).saturating_sub(used) / 60_000)
    }

    /// An outside call of `extension` started ringing.
    pub fn started(&mut self, extension: &str) {
        self.usage.entry(extension.to_owned()).or_default().active += 1;
    }

    /// It ended after `talk_ms` of conversation, on `day`.
    pub fn ended(&mut self, extension: &str, talk_ms: u64, day: i64) {
        let u = self.usage.entry(extension.to_owned()).or_default();
        u.active = u.active.saturating_sub(1);
        if u.day != day {
            u.day = day;
            u.used_ms = 0;
        }
        u.used_ms += talk_ms;
    }

    /// Outside calls live now, for `extension`.
    pub fn active(&self, extension: &str) -> u32 {
        self.usage.get(extension).map_or(0, |u| u.active)
    }
}

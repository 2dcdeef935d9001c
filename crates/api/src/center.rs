//! The center's settings that change at run time without a restart: its
//! name, the language new browsers start in, and which roles see phone
//! numbers in full (everyone else sees `138****5678`). Kept in the store
//! (`settings`), held here for every request to read, replaced whole by an
//! admin's save.

use std::sync::RwLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::roles::Role;
use crate::error::ApiError;

/// The languages the app speaks (configured names themselves are the
/// center's default language; labels give the others).
pub const LANGS: &[&str] = &["zh-CN", "en"];

/// The keys in the store.
const KEYS: [&str; 4] = ["center_name", "default_language", "unmasked_roles", "monitor_indicator"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CenterSettings {
    /// Shown in the app's title bar.
    pub center_name: String,
    /// `zh-CN` or `en`: the language of a browser that has not chosen one.
    pub default_language: String,
    /// Roles that see phone numbers in full; others see them masked.
    pub unmasked_roles: Vec<String>,
    /// Monitoring modes (`listen`, `whisper`, `barge`) in which the agent is
    /// shown that a supervisor is on the call.
    #[serde(default = "default_indicator")]
    pub monitor_indicator: Vec<String>,
}

/// A silent monitor stays silent; whisper and barge are heard, so shown.
fn default_indicator() -> Vec<String> {
    vec!["whisper".into(), "barge".into()]
}

impl Default for CenterSettings {
    fn default() -> Self {
        CenterSettings { center_name: "热线联络中心".into(), default_language: "zh-CN".into(), unmasked_roles: vec!["admin".into(), "supervisor".into()], monitor_indicator: default_indicator() }
    }
}

impl CenterSettings {
    /// The first problem, by field.
    pub fn check(&self) -> Result<(), ApiError> {
        let n = self.center_name.trim().chars().count();
        if n == 0 || n > 64 {
            return Err(ApiError::invalid("center_name", "must be 1-64 characters"));
        }
        if !LANGS.contains(&self.default_language.as_str()) {
            return Err(ApiError::invalid("default_language", "`zh-CN` or `en`"));
        }
        for (i, r) in self.unmasked_roles.iter().enumerate() {
            if Role::parse(r).is_none() {
                return Err(ApiError::invalid(&format!("unmasked_roles[{i}]"), format!("one of {}", Role::ALL.join(", "))));
            }
        }
        for (i, m) in self.monitor_indicator.iter().enumerate() {
            if hotline_telephony::sip_server::Monitor::parse(m).is_none() {
                return Err(ApiError::invalid(&format!("monitor_indicator[{i}]"), "one of listen, whisper, barge"));
            }
        }
        Ok(())
    }

    /// Whether the agent is shown a supervisor monitoring in `mode`.
    pub fn shows_monitor(&self, mode: hotline_telephony::sip_server::Monitor) -> bool {
        self.monitor_indicator.iter().any(|m| m == mode.as_str())
    }

    /// Whether a user holding `roles` sees numbers in full.
    pub fn unmasked(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.unmasked_roles.iter().any(|u| Role::parse(u) == Some(*r)))
    }

    /// From the store's (key, JSON) pairs; keys not stored keep their default.
    pub fn from_pairs(pairs: &[(String, String)]) -> CenterSettings {
        let mut out = CenterSettings::default();
        for (k, v) in pairs {
            match k.as_str() {
                "center_name" => out.center_name = serde_json::from_str(v).unwrap_or(out.center_name),
                "default_language" => out.default_language = serde_json::from_str(v).unwrap_or(out.default_language),
                "unmasked_roles" => out.unmasked_roles = serde_json::from_str(v).unwrap_or(out.unmasked_roles),
                "monitor_indicator" => out.monitor_indicator = serde_json::from_str(v).unwrap_or(out.monitor_indicator),
                _ => {}
            }
        }
        out
    }

    /// (key, JSON value) for each setting.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let v = serde_json::to_value(self).unwrap_or_default();
        KEYS.iter().map(|k| (*k, v[*k].to_string())).collect()
    }
}

/// The settings every request reads.
#[derive(Default)]
pub struct Center(RwLock<CenterSettings>);

impl Center {
    pub fn get(&self) -> CenterSettings {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set(&self, s: CenterSettings) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = s;
    }
}

#[cfg(test)]
mod tests {
    use super::CenterSettings;
    use crate::roles::Role;

    #[test]
    fn stored_pairs_round_trip_and_unknown_keys_are_ignored() {
        let s = CenterSettings { center_name: "12345 市民热线".into(), default_language: "en".into(), unmasked_roles: vec!["qa".into()], monitor_indicator: vec!["barge".into()] };
        let mut pairs: Vec<(String, String)> = s.pairs().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        pairs.push(("retired".into(), "1".into()));
        assert_eq!(CenterSettings::from_pairs(&pairs), s);
        assert!(s.unmasked(&[Role::Qa]) && !s.unmasked(&[Role::Admin]));
        assert_eq!(CenterSettings::from_pairs(&[]), CenterSettings::default());
    }
}

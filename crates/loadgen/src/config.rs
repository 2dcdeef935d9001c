//! Command-line options (`hotline loadgen --help`) and the small value
//! types they parse into.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use crate::error::LoadgenError;

/// `hotline loadgen`: simulated agents' phones and callers against a
/// running Hotline server, over real SIP/UDP and RTP.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The server's SIP address (UDP).
    #[arg(long, default_value = "127.0.0.1:5060")]
    pub sip: SocketAddr,
    /// Number the callers dial.
    #[arg(long, default_value = "1000")]
    pub number: String,
    /// Most callers on the line at once (in the IVR, queued or talking).
    #[arg(long, default_value_t = 6)]
    pub callers: usize,
    /// New calls per second (placed while fewer than --callers are active).
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
    /// Seconds a caller talks once an agent's audio reaches it, then hangs up.
    #[arg(long, default_value_t = 5.0)]
    pub hold_secs: f64,
    /// Agents' extensions: a count from 8001 (`20`), a range (`8001-8020`),
    /// a list (`8001,8003,8101-8150`), or 0 for none.
    #[arg(long, default_value = "6")]
    pub agents: AgentList,
    /// SIP digest password of every agent's extension.
    #[arg(long, default_value = "demo")]
    pub password: String,
    /// Seconds during which new calls are placed (then active calls finish).
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Stop placing calls after this many (default: no limit within --duration).
    #[arg(long)]
    pub calls: Option<u64>,
    /// Local UDP ports for the simulated phones' RTP (even ports are used).
    #[arg(long, default_value = "40000-49999")]
    pub rtp_ports: PortRange,
    /// Local address for SIP and RTP.
    #[arg(long, default_value = "127.0.0.1")]
    pub local_ip: IpAddr,
    /// Keys callers press (RFC 4733) after the answer, e.g. `1` for a menu.
    #[arg(long, default_value = "")]
    pub dtmf: String,
    /// Milliseconds between the answer and the first key, and between keys.
    #[arg(long, default_value_t = 1500)]
    pub dtmf_delay_ms: u64,
    /// A caller that has heard no agent this many seconds after the answer
    /// hangs up (counted as "no agent").
    #[arg(long, default_value_t = 20.0)]
    pub max_wait_secs: f64,
    /// Agents' phones ring this long (180) before answering (200).
    #[arg(long, default_value_t = 0)]
    pub answer_delay_ms: u64,
    /// Registration lifetime the agents ask for, in seconds.
    #[arg(long, default_value_t = 300)]
    pub register_expires: u32,
    /// The server's process id, for its CPU time (default: the process
    /// holding the SIP port, from /proc).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Only register the agents and answer calls for --duration seconds
    /// or until SIGTERM (calls placed by another tool such as sipp); no callers.
    #[arg(long)]
    pub agents_only: bool,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

impl Args {
    /// Checks what clap cannot.
    pub fn validate(&self) -> Result<(), LoadgenError> {
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !self.agents_only && !positive(self.rate) {
            return Err(LoadgenError::option("rate", "must be above 0"));
        }
        if !self.agents_only && self.callers == 0 {
            return Err(LoadgenError::option(
                "callers",
                "must be at least 1 (or use --agents-only)",
            ));
        }
        if !positive(self.duration) || self.duration > 3600.0 {
            return Err(LoadgenError::option(
                "duration",
                "must be above 0 and at most 3600",
            ));
        }
        if !self.hold_secs.is_finite() || self.hold_secs < 0.0 {
            return Err(LoadgenError::option("hold-secs", "must be 0 or more"));
        }
        if !positive(self.max_wait_secs) {
            return Err(LoadgenError::option("max-wait-secs", "must be above 0"));
        }
        if let Some(bad) = self
            .dtmf
            .chars()
            .find(|c| !"0123456789*#ABCDabcd".contains(*c))
        {
            return Err(LoadgenError::option(
                "dtmf",
                format!("`{bad}` is not a DTMF key"),
            ));
        }
        if self.register_expires < 60 {
            return Err(LoadgenError::option(
                "register-expires",
                "the server refuses less than 60 s",
            ));
        }
        Ok(())
    }

    pub fn hold(&self) -> Duration {
        Duration::from_secs_f64(self.hold_secs)
    }

    pub fn max_wait(&self) -> Duration {
        Duration::from_secs_f64(self.max_wait_secs)
    }
}

/// Agents' extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentList(pub Vec<String>);

/// Why an option value does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseValueError(String);

fn range_of(s: &str) -> Result<(u64, u64), ParseValueError> {
    let bad = || ParseValueError(format!("`{s}` is not a number or a range like 8001-8020"));
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u64, u64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if b < a {
        return Err(ParseValueError(format!(
            "`{s}`: the range ends before it starts"
        )));
    }
    Ok((a, b))
}

impl FromStr for AgentList {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<AgentList, ParseValueError> {
        let s = s.trim();
        // A bare small number is a count from 8001.
        if !s.contains([',', '-']) {
            let n: u64 = s.parse().map_err(|_| {
                ParseValueError(format!("`{s}` is not a count or an extension list"))
            })?;
            if n < 1000 {
                return Ok(AgentList((8001..8001 + n).map(|e| e.to_string()).collect()));
            }
        }
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = range_of(part)?;
            if b - a >= 10_000 {
                return Err(ParseValueError(format!("`{part}`: more than 10000 agents")));
            }
            out.extend((a..=b).map(|e| e.to_string()));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = out.iter().find(|e| !seen.insert(*e)) {
            return Err(ParseValueError(format!("extension {dup} is listed twice")));
        }
        Ok(AgentList(out))
    }
}

/// An inclusive UDP port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub min: u16,
    pub max: u16,
}

impl FromStr for PortRange {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<PortRange, ParseValueError> {
        let (a, b) = range_of(s.trim())?;
        let (min, max) = (u16::try_from(a), u16::try_from(b));
        match (min, max) {
            (Ok(min), Ok(max)) if min >= 1024 && max > min => Ok(PortRange { min, max }),
            _ => Err(ParseValueError(format!(
                "`{s}`: use two ports from 1024 to 65535, like 40000-49999"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_lists() {
        assert_eq!(
            "3".parse::<AgentList>().unwrap().0,
            ["8001", "8002", "8003"]
        );
        assert_eq!("0".parse::<AgentList>().unwrap().0, Vec::<String>::new());
        assert_eq!(
            "8101-8103".parse::<AgentList>().unwrap().0,
            ["8101", "8102", "8103"]
        );
        assert_eq!(
            "8001, 8005,8101-8102".parse::<AgentList>().unwrap().0,
            ["8001", "8005", "8101", "8102"]
        );
        assert_eq!(
            "8005".parse::<AgentList>().unwrap().0,
            ["8005"],
            "an extension, not a count"
        );
        assert!("8003-8001".parse::<AgentList>().is_err());
        assert!("8001,8001".parse::<AgentList>().is_err());
        assert!("abc".parse::<AgentList>().is_err());
    }

    #[test]
    fn port_ranges() {
        assert_eq!(
            "40000-49999".parse::<PortRange>(),
            Ok(PortRange {
                min: 40000,
                max: 49999
            })
        );
        assert!("80-90".parse::<PortRange>().is_err());
        assert!("50000-40000".parse::<PortRange>().is_err());
        assert!("40000-70000".parse::<PortRange>().is_err());
    }
}

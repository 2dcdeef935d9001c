//! The run's figures: built from the callers' and agents' records, printed
//! as text or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use crate::rtp::RecvStats;
use crate::sip::agent::{AgentCallRecord, AgentsSummary, Registration};
use crate::sip::caller::{CallRecord, CallersSummary, Outcome};
use crate::sip::core::SipCounters;
use crate::stats::{Level, Summary};

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub sip: String,
    pub number: String,
    pub agents: usize,
    pub max_callers: usize,
    pub rate: f64,
    pub hold_secs: f64,
    pub duration_secs: f64,
    pub dtmf: String,
    pub agents_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegistrationReport {
    pub registered: usize,
    pub failed: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct CallsReport {
    pub placed: usize,
    /// 200 OK to the INVITE.
    pub answered: usize,
    /// The agent's audio reached the caller.
    pub connected: usize,
    /// Talked for the hold time and hung up normally.
    pub completed: usize,
    /// Outcome → count, for every call that did not complete.
    pub failed: BTreeMap<String, u64>,
    pub skipped_full: u64,
    pub placing_secs: f64,
    /// Calls placed per second of the placing window.
    pub offered_rate: f64,
    /// 200 OKs per second of the placing window.
    pub setup_rate: f64,
    /// Calls that reached an agent per second of the placing window.
    pub connect_rate: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct LatencyReport {
    pub invite_to_100_ms: Summary,
    pub invite_to_200_ms: Summary,
    /// From the caller's INVITE to the server's INVITE at the agent's phone.
    pub invite_to_agent_rung_ms: Summary,
    /// From the caller's INVITE to the agent's first audio frame at the caller.
    pub invite_to_agent_audio_ms: Summary,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ConcurrencyReport {
    pub max_active: u64,
    pub max_answered: u64,
    pub max_talking: u64,
    /// Time-weighted means over the placing window.
    pub mean_active: f64,
    pub mean_talking: f64,
}

/// Receive figures of a set of streams.
#[derive(Debug, Clone, Serialize, Default)]
pub struct StreamsReport {
    /// Streams that received at least one packet.
    pub streams: usize,
    /// Streams that received nothing.
    pub silent: usize,
    pub expected: u64,
    pub received: u64,
    pub lost: u64,
    pub loss_pct: f64,
    /// Loss of each stream, percent.
    pub stream_loss_pct: Summary,
    /// RFC 3550 interarrival jitter of each stream at its end, ms.
    pub jitter_ms: Summary,
}

impl StreamsReport {
    pub fn of<'a>(
        stats: impl Iterator<Item = &'a hotline_media::rtcp::ReceiveStats>,
    ) -> StreamsReport {
        let mut r = StreamsReport::default();
        let (mut loss, mut jitter) = (Vec::new(), Vec::new());
        for s in stats {
            if s.received == 0 {
                r.silent += 1;
                continue;
            }
            r.streams += 1;
            r.expected += s.expected();
            r.received += s.received;
            r.lost += s.lost();
            loss.push(100.0 * s.lost() as f64 / s.expected().max(1) as f64);
            jitter.push(s.jitter_ms());
        }
        r.loss_pct = if r.expected > 0 {
            100.0 * r.lost as f64 / r.expected as f64
        } else {
            0.0
        };
        r.stream_loss_pct = Summary::of(&loss);
        r.jitter_ms = Summary::of(&jitter);
        r
    }
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct MediaReport {
    /// What the server sent the callers (IVR, music on hold, relayed agent audio).
    pub at_callers: StreamsReport,
    /// What the server sent the agents (relayed caller audio).
    pub at_agents: StreamsReport,
    /// The agents' tagged frames as the callers got them (end to end).
    pub agent_to_caller: StreamsReport,
    /// The callers' tagged frames as the agents got them (end to end).
    pub caller_to_agent: StreamsReport,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AgentsReport {
    pub offered: usize,
    pub answered: usize,
    pub cancelled: usize,
    pub unfinished: usize,
    pub refused: BTreeMap<u16, u64>,
    pub ack_timeouts: u64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct CpuReport {
    pub server_pid: Option<u32>,
    pub server_cpu_secs: Option<f64>,
    /// Percent of one core.
    pub server_cpu_pct: Option<f64>,
    pub loadgen_cpu_pct: Option<f64>,
    pub wall_secs: f64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct LoadgenHealth {
    pub rtp_sent: u64,
    /// Frames skipped because the sender fell behind (loadgen overloaded).
    pub rtp_skipped: u64,
    pub rtp_send_errors: u64,
    pub sip_callers: SipCounters,
    pub sip_agents: SipCounters,
    pub bye_timeouts: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub settings: Settings,
    pub registration: RegistrationReport,
    pub calls: CallsReport,
    pub latency: LatencyReport,
    pub concurrency: ConcurrencyReport,
    pub media: MediaReport,
    pub agents: AgentsReport,
    pub cpu: CpuReport,
    pub loadgen: LoadgenHealth,
}

/// Everything a report is made of.
pub struct Inputs<'a> {
    pub settings: Settings,
    pub registration: &'a Registration,
    pub callers: &'a CallersSummary,
    pub agents: &'a AgentsSummary,
    pub active: &'a Level,
    pub answered: &'a Level,
    pub talking: &'a Level,
    pub cpu: CpuReport,
    pub loadgen: LoadgenHealth,
}

fn ms(d: Option<Duration>) -> f64 {
    d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

fn outcome_name(o: &Outcome) -> String {
    match o {
        Outcome::Completed => "completed".into(),
        Outcome::Refused(s) => format!("refused {s}"),
        Outcome::Timeout => "no final response".into(),
        Outcome::NoAgent => "no agent within the wait limit".into(),
        Outcome::ServerHangup(r) if r.is_empty() => "hung up by the server".into(),
        Outcome::ServerHangup(r) => format!("hung up by the server ({r})"),
        Outcome::Unfinished => "unfinished at the end".into(),
        Outcome::Local(why) => format!("loadgen: {why}"),
    }
}

impl Report {
    pub fn build(i: Inputs<'_>) -> Report {
        let recs: &[CallRecord] = &i.callers.records;
        let placing = i.callers.placing_secs.max(1e-9);
        let mut calls = CallsReport {
            placed: recs.len(),
            answered: recs.iter().filter(|r| r.answered.is_some()).count(),
            connected: recs.iter().filter(|r| r.agent_audio.is_some()).count(),
            completed: recs
                .iter()
                .filter(|r| r.outcome == Outcome::Completed)
                .count(),
            skipped_full: i.callers.skipped_full,
            placing_secs: i.callers.placing_secs,
            ..CallsReport::default()
        };
        for r in recs.iter().filter(|r| r.outcome != Outcome::Completed) {
            *calls.failed.entry(outcome_name(&r.outcome)).or_default() += 1;
        }
        // Rates count the calls placed within the window.
        let within = |f: &dyn Fn(&CallRecord) -> bool| {
            recs.iter()
                .filter(|r| r.placed_at <= placing && f(r))
                .count() as f64
                / placing
        };
        calls.offered_rate = within(&|_| true);
        calls.setup_rate = within(&|r| r.answered.is_some());
        calls.connect_rate = within(&|r| r.agent_audio.is_some());

        let agent_calls: &[AgentCallRecord] = &i.agents.calls;
        let latency = LatencyReport {
            invite_to_100_ms: Summary::of(&recs.iter().map(|r| ms(r.trying)).collect::<Vec<_>>()),
            invite_to_200_ms: Summary::of(&recs.iter().map(|r| ms(r.answered)).collect::<Vec<_>>()),
            invite_to_agent_rung_ms: Summary::of(
                &agent_calls
                    .iter()
                    .map(|a| ms(a.rung_after_invite))
                    .collect::<Vec<_>>(),
            ),
            invite_to_agent_audio_ms: Summary::of(
                &recs.iter().map(|r| ms(r.agent_audio)).collect::<Vec<_>>(),
            ),
        };
        let concurrency = ConcurrencyReport {
            max_active: i.active.max(),
            max_answered: i.answered.max(),
            max_talking: i.talking.max(),
            mean_active: i.active.mean_between(0.0, placing),
            mean_talking: i.talking.mean_between(0.0, placing),
        };
        // Only answered calls had media to receive.
        let caller_rx: Vec<&RecvStats> = recs
            .iter()
            .filter(|r| r.answered.is_some())
            .filter_map(|r| r.rx.as_ref())
            .collect();
        let agent_rx: Vec<&RecvStats> = agent_calls
            .iter()
            .filter(|a| a.answered)
            .map(|a| &a.rx)
            .collect();
        let media = MediaReport {
            at_callers: StreamsReport::of(caller_rx.iter().map(|r| &r.rtp)),
            at_agents: StreamsReport::of(agent_rx.iter().map(|r| &r.rtp)),
            agent_to_caller: StreamsReport::of(
                caller_rx
                    .iter()
                    .filter(|r| r.first_far.is_some())
                    .map(|r| &r.e2e),
            ),
            caller_to_agent: StreamsReport::of(
                agent_rx
                    .iter()
                    .filter(|r| r.first_far.is_some())
                    .map(|r| &r.e2e),
            ),
        };
        let agents = AgentsReport {
            offered: agent_calls.len(),
            answered: agent_calls.iter().filter(|a| a.answered).count(),
            cancelled: agent_calls.iter().filter(|a| a.cancelled).count(),
            unfinished: agent_calls.iter().filter(|a| a.unfinished).count(),
            refused: i.agents.refused.iter().map(|(k, v)| (*k, *v)).collect(),
            ack_timeouts: i.agents.ack_timeouts,
        };
        Report {
            settings: i.settings,
            registration: RegistrationReport {
                registered: i.registration.registered.len(),
                failed: i.registration.failed.clone(),
            },
            calls,
            latency,
            concurrency,
            media,
            agents,
            cpu: i.cpu,
            loadgen: LoadgenHealth {
                bye_timeouts: i.callers.bye_timeouts,
                sip_callers: i.callers.sip,
                sip_agents: i.agents.sip,
                ..i.loadgen
            },
        }
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let st = &self.settings;
        let _ = writeln!(s, "hotline loadgen → {} (number {})", st.sip, st.number);
        if st.agents_only {
            let _ = writeln!(
                s,
                "  agents only: {} agents answering for {:.0} s",
                st.agents, st.duration_secs
            );
        } else {
            let _ =
                writeln!(
                s,
                "  {} agents, callers at {}/s up to {} at once, talk {} s, placing for {:.0} s{}",
                st.agents,
                st.rate,
                st.max_callers,
                st.hold_secs,
                st.duration_secs,
                if st.dtmf.is_empty() { String::new() } else { format!(", keys {}", st.dtmf) }
            );
        }
        let r = &self.registration;
        let _ = writeln!(
            s,
            "registration   {} registered, {} failed",
            r.registered,
            r.failed.len()
        );
        for (ext, why) in r.failed.iter().take(5) {
            let _ = writeln!(s, "               {ext}: {why}");
        }
        if !st.agents_only {
            let c = &self.calls;
            let _ = writeln!(
                s,
                "calls          placed {}  answered {}  reached an agent {}  completed {}",
                c.placed, c.answered, c.connected, c.completed
            );
            let _ = writeln!(
                s,
                "setup rate     {:.2} calls/s answered (offered {:.2}/s), {:.2} calls/s reached an agent, over {:.1} s{}",
                c.setup_rate,
                c.offered_rate,
                c.connect_rate,
                c.placing_secs,
                if c.skipped_full > 0 { format!("; {} slots skipped at the concurrency limit", c.skipped_full) } else { String::new() }
            );
            if c.failed.is_empty() {
                let _ = writeln!(s, "failures       none");
            } else {
                let list: Vec<String> = c.failed.iter().map(|(k, v)| format!("{v} {k}")).collect();
                let _ = writeln!(s, "failures       {}", list.join("; "));
            }
            let l = &self.latency;
            let _ = writeln!(
                s,
                "latency (ms)   {:<28} {:>8} {:>8} {:>8} {:>8}",
                "", "p50", "p90", "p99", "max"
            );
            for (name, v) in [
                ("INVITE → 100 Trying", &l.invite_to_100_ms),
                ("INVITE → 200 OK", &l.invite_to_200_ms),
                ("INVITE → agent's phone rung", &l.invite_to_agent_rung_ms),
                ("INVITE → agent's audio", &l.invite_to_agent_audio_ms),
            ] {
                if v.count > 0 {
                    let _ = writeln!(
                        s,
                        "               {name:<28} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
                        v.p50, v.p90, v.p99, v.max
                    );
                }
            }
            let k = &self.concurrency;
            let _ = writeln!(
                s,
                "concurrent     talking max {} (mean {:.1}), answered max {}, on the line max {} (mean {:.1})",
                k.max_talking, k.mean_talking, k.max_answered, k.max_active, k.mean_active
            );
        }
        let _ = writeln!(
            s,
            "media          {:<26} {:>7} {:>10} {:>8} {:>9} {:>9} {:>9} {:>9}",
            "", "streams", "packets", "loss %", "loss p50", "loss p99", "jit p50", "jit p99"
        );
        let m = &self.media;
        for (name, v) in [
            ("server → callers", &m.at_callers),
            ("server → agents", &m.at_agents),
            ("agent → caller (e2e)", &m.agent_to_caller),
            ("caller → agent (e2e)", &m.caller_to_agent),
        ] {
            if v.streams + v.silent == 0 {
                continue;
            }
            let _ = writeln!(
                s,
                "               {name:<26} {:>7} {:>10} {:>8.3} {:>9.3} {:>9.3} {:>7.2}ms {:>7.2}ms{}",
                v.streams,
                v.received,
                v.loss_pct,
                v.stream_loss_pct.p50,
                v.stream_loss_pct.p99,
                v.jitter_ms.p50,
                v.jitter_ms.p99,
                if v.silent > 0 { format!("  ({} silent)", v.silent) } else { String::new() }
            );
        }
        let a = &self.agents;
        let refused: Vec<String> = a.refused.iter().map(|(k, v)| format!("{v}×{k}")).collect();
        let _ = writeln!(
            s,
            "agents' phones rung {}, answered {}, cancelled {}, up at the end {}{}{}",
            a.offered,
            a.answered,
            a.cancelled,
            a.unfinished,
            if refused.is_empty() {
                String::new()
            } else {
                format!(", refused {}", refused.join(" "))
            },
            if a.ack_timeouts > 0 {
                format!(", {} 200 OKs never ACKed", a.ack_timeouts)
            } else {
                String::new()
            }
        );
        let c = &self.cpu;
        match (c.server_pid, c.server_cpu_pct, c.server_cpu_secs) {
            (Some(pid), Some(pct), Some(secs)) => {
                let _ = writeln!(
                    s,
                    "server CPU     {pct:.1}% of one core ({secs:.2} s over {:.1} s, pid {pid})",
                    c.wall_secs
                );
            }
            _ => {
                let _ = writeln!(s, "server CPU     unknown (give --server-pid)");
            }
        }
        let h = &self.loadgen;
        let _ = writeln!(
            s,
            "loadgen        CPU {}; RTP sent {}, skipped {} (late sender), send errors {}; SIP sent {}/{} received {}/{} (callers/agents), send errors {}{}",
            c.loadgen_cpu_pct.map_or("?".into(), |p| format!("{p:.1}%")),
            h.rtp_sent,
            h.rtp_skipped,
            h.rtp_send_errors,
            h.sip_callers.sent,
            h.sip_agents.sent,
            h.sip_callers.received,
            h.sip_agents.received,
            h.sip_callers.send_errors + h.sip_agents.send_errors,
            if h.bye_timeouts > 0 { format!("; {} BYEs unanswered", h.bye_timeouts) } else { String::new() }
        );
        s
    }
}

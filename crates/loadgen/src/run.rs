//! One load run: agents register, callers call, figures are gathered.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::config::Args;
use crate::cpu;
use crate::error::LoadgenError;
use crate::report::{CpuReport, Inputs, LoadgenHealth, Report, Settings};
use crate::rtp::{PortAllocator, Sender};
use crate::sip::agent::{AgentOptions, Agents, AgentsSummary, Registration};
use crate::sip::caller::{CallerOptions, CallerUa, CallersSummary, Live};
use crate::sip::core::SipCore;
use crate::sip::InviteClock;
use crate::stats::Level;

/// How often the calls on the line are sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// Runs the load described by `args` and returns its report.
pub async fn run(args: &Args) -> Result<Report, LoadgenError> {
    args.validate()?;
    let server_pid = args
        .server_pid
        .or_else(|| cpu::pid_of_udp_port(args.sip.port()));
    let ports = PortAllocator::new(args.local_ip, args.rtp_ports);
    let sender = Sender::spawn();
    let clock = InviteClock::default();

    let extensions = args.agents.0.clone();
    let (agents, registration) = if extensions.is_empty() {
        (None, Registration::default())
    } else {
        let core = SipCore::bind(args.local_ip, args.sip, "the agents' SIP socket")?;
        let opts = AgentOptions {
            extensions,
            password: args.password.clone(),
            expires: args.register_expires,
            answer_delay: Duration::from_millis(args.answer_delay_ms),
        };
        let mut agents = Agents::start(opts, core, ports.clone(), sender.clone(), clock.clone());
        let reg = tokio::time::timeout(Duration::from_secs(40), agents.registration())
            .await
            .map_err(|_| LoadgenError::Registration("no answer within 40 s".into()))?;
        if reg.registered.is_empty() {
            let why = reg
                .failed
                .first()
                .map_or("no answer".to_owned(), |(e, w)| format!("{e}: {w}"));
            return Err(LoadgenError::Registration(format!(
                "{} failed, e.g. {why}",
                reg.failed.len()
            )));
        }
        // Scripts wait for this line before they start calling.
        eprintln!(
            "loadgen: {} agents registered, {} failed",
            reg.registered.len(),
            reg.failed.len()
        );
        // Routing makes agents available on registration, asynchronously.
        tokio::time::sleep(Duration::from_millis(500)).await;
        (Some(agents), reg)
    };

    let cpu_before = server_pid.and_then(cpu::sample);
    let self_before = cpu::sample(std::process::id());
    let started = Instant::now();
    let live = Arc::new(Live::default());
    let (stop_sampling, sampling) = sample_levels(live.clone(), started);

    let callers = if args.agents_only {
        // Until the duration ends or a script says it is done (SIGTERM, ^C).
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(args.duration)) => {}
            _ = stop_signal() => {}
        }
        CallersSummary {
            placing_secs: args.duration,
            ..CallersSummary::default()
        }
    } else {
        let core = SipCore::bind(args.local_ip, args.sip, "the callers' SIP socket")?;
        let opts = CallerOptions {
            number: args.number.clone(),
            rate: args.rate,
            max_active: args.callers,
            duration: Duration::from_secs_f64(args.duration),
            max_calls: args.calls,
            hold: args.hold(),
            max_wait: args.max_wait(),
            dtmf: args.dtmf.chars().collect(),
            dtmf_delay: Duration::from_millis(args.dtmf_delay_ms),
        };
        let grace = args.max_wait() + args.hold() + Duration::from_secs(5);
        CallerUa::new(
            opts,
            core,
            ports.clone(),
            sender.clone(),
            clock,
            live,
            started,
        )
        .run(grace)
        .await
    };

    let cpu_after = server_pid.and_then(cpu::sample);
    let self_after = cpu::sample(std::process::id());
    let wall_secs = started.elapsed().as_secs_f64();
    let _ = stop_sampling.send(());
    let (active, answered, talking) = sampling
        .await
        .map_err(|_| LoadgenError::TaskGone("the sampler"))?;

    let agents_summary = match agents {
        Some(a) => {
            // The server hangs the agents' phones up after the callers' BYEs.
            tokio::time::sleep(Duration::from_millis(500)).await;
            a.shutdown().await
        }
        None => AgentsSummary::default(),
    };
    let (server_cpu_secs, server_cpu_pct) = match (cpu_before, cpu_after) {
        (Some(b), Some(a)) => {
            let (s, p) = cpu::used(b, a);
            (Some(s), Some(p))
        }
        _ => (None, None),
    };
    let loadgen_cpu_pct = self_before.zip(self_after).map(|(b, a)| cpu::used(b, a).1);
    let c = &sender.counters;
    let health = LoadgenHealth {
        rtp_sent: c.packets.load(Ordering::Relaxed),
        rtp_skipped: c.skipped.load(Ordering::Relaxed),
        rtp_send_errors: c.send_errors.load(Ordering::Relaxed),
        ..LoadgenHealth::default()
    };
    let settings = Settings {
        sip: args.sip.to_string(),
        number: args.number.clone(),
        agents: args.agents.0.len(),
        max_callers: args.callers,
        rate: args.rate,
        hold_secs: args.hold_secs,
        duration_secs: args.duration,
        dtmf: args.dtmf.clone(),
        agents_only: args.agents_only,
    };
    Ok(Report::build(Inputs {
        settings,
        registration: &registration,
        callers: &callers,
        agents: &agents_summary,
        active: &active,
        answered: &answered,
        talking: &talking,
        cpu: CpuReport {
            server_pid,
            server_cpu_secs,
            server_cpu_pct,
            loadgen_cpu_pct,
            wall_secs,
        },
        loadgen: health,
    }))
}

/// SIGTERM or ^C.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Samples the calls on the line until told to stop.
fn sample_levels(
    live: Arc<Live>,
    started: Instant,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<(Level, Level, Level)>,
) {
    let (stop, mut stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let (mut active, mut answered, mut talking) =
            (Level::default(), Level::default(), Level::default());
        let mut tick = tokio::time::interval(SAMPLE_EVERY);
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                _ = tick.tick() => {
                    let t = started.elapsed().as_secs_f64();
                    active.sample(t, live.active.load(Ordering::Relaxed));
                    answered.sample(t, live.answered.load(Ordering::Relaxed));
                    talking.sample(t, live.talking.load(Ordering::Relaxed));
                }
            }
        }
        (active, answered, talking)
    });
    (stop, task)
}

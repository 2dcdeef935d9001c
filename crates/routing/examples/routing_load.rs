//! Load run of the routing engine: builds the benchmark workload (10,000
//! agents, 50 skills, 10 queues, 100,000 waiting contacts by default; see
//! `benches/workload/mod.rs`), feeds a steady-state event stream to
//! [`Engine`], timing every `handle` + output drain, then feeds the same
//! stream to the linear-scan [`NaiveRouter`] for a bounded number of events
//! (or seconds) and compares.
//!
//! ```text
//! cargo run --release -p hotline-routing --example routing_load
//! cargo run --release -p hotline-routing --example routing_load -- --agents 1000 --contacts 10000
//! ```
//!
//! Options: `--agents N`, `--skills N`, `--queues N`, `--contacts N` (waiting
//! contacts), `--events N` (engine events, default 200,000), `--naive-events N`
//! (default 5,000), `--naive-seconds S` (time budget of the naive run, default
//! 25), `--no-naive`, `--seed N`.
//!
//! Events per second are computed from the summed per-event times (router
//! work on one core, without the driver's own bookkeeping). The naive router
//! runs only a prefix of the stream, so the ratio compares it with the
//! engine's figures over the same prefix; the outputs of both over that
//! prefix are also compared (they must make the same decisions). Two more
//! tables show where the engine's time goes by input kind, and that the
//! figures are stable over the run (by fifth of the events).

#[path = "../benches/workload/mod.rs"]
mod workload;

use std::time::{Duration, Instant};

use hotline_routing::{Engine, NaiveRouter};
use workload::{Figures, Params, Router, SetupReport, Sim};

struct Options {
    params: Params,
    events: u64,
    naive_events: u64,
    naive_seconds: f64,
    naive: bool,
}

fn parse() -> Options {
    let mut o =
        Options { params: Params::FULL, events: 200_000, naive_events: 5_000, naive_seconds: 25.0, naive: true };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--no-naive" {
            o.naive = false;
            continue;
        }
        let Some(v) = args.next() else { usage(&format!("{a} needs a value")) };
        let n = || v.parse::<u64>().unwrap_or_else(|_| usage(&format!("bad value for {a}: {v}")));
        match a.as_str() {
            "--agents" => o.params.agents = n() as u32,
            "--skills" => o.params.skills = n() as u32,
            "--queues" => o.params.queues = n() as u32,
            "--contacts" => o.params.waiting = n() as usize,
            "--seed" => o.params.seed = n(),
            "--events" => o.events = n(),
            "--naive-events" => o.naive_events = n(),
            "--naive-seconds" => o.naive_seconds = n() as f64,
            _ => usage(&format!("unknown option {a}")),
        }
    }
    if o.params.agents == 0 || o.params.queues == 0 || o.params.skills < 2 {
        usage("need at least 1 agent, 1 queue and 2 skills");
    }
    o
}

fn usage(why: &str) -> ! {
    eprintln!("routing_load: {why}");
    eprintln!(
        "usage: routing_load [--agents N] [--skills N] [--queues N] [--contacts N] [--events N] \
         [--naive-events N] [--naive-seconds S] [--no-naive] [--seed N]"
    );
    std::process::exit(2)
}

fn print_setup(name: &str, r: &SetupReport) {
    println!(
        "setup {name:<6} {:>8.2} s  {:>7} inputs, {} waiting, {} in progress, {} contacts held, {:.0} s simulated",
        r.elapsed.as_secs_f64(),
        r.inputs,
        r.waiting,
        r.busy,
        r.contacts,
        r.sim_time_ms as f64 / 1000.0
    );
}

fn row(name: &str, f: &Figures) {
    println!(
        "{name:<22} {:>8} {:>12.0} {:>9.2} {:>9.2} {:>9.2} {:>10.2}",
        f.events,
        f.events_per_sec(),
        f.p50_us,
        f.p99_us,
        f.p999_us,
        f.max_us
    );
}

fn print_counts<R: Router>(name: &str, sim: &Sim<R>) {
    let c = &sim.counts;
    println!(
        "{name}: arrived {} finished {} accepted {} rejected {} abandoned {} not-ready {} available {} ticks {}; \
         offers {} timed-out {} step-changes {} overflows {} outputs {} refused {}; now {} waiting, {} in progress",
        c.arrived,
        c.finished,
        c.accepted,
        c.rejected_offers,
        c.abandoned,
        c.not_ready,
        c.available,
        c.ticks,
        c.offers,
        c.timed_out,
        c.step_changes,
        c.overflows,
        c.outputs,
        c.refused,
        sim.router_waiting(),
        sim.busy()
    );
}

fn main() {
    let o = parse();
    let p = o.params;
    println!(
        "routing_load: {} agents, {} skills, {} queues, {} waiting contacts, seed {:#x}",
        p.agents, p.skills, p.queues, p.waiting, p.seed
    );

    // Engine.
    let mut engine = Sim::new(Engine::new(), p);
    let setup = engine.setup();
    print_setup("engine", &setup);
    engine.record_limit = if o.naive { o.naive_events as usize } else { 0 };
    let wall = Instant::now();
    engine.run(o.events);
    let engine_wall = wall.elapsed();
    let all = Figures::of(&engine.lat_ns);
    print_counts("engine", &engine);
    assert_eq!(engine.counts.refused, 0, "the engine refused driver inputs");
    let by_kind = Figures::by_kind(&engine.lat_ns, &engine.kinds);
    let engine_lat = std::mem::take(&mut engine.lat_ns);
    let recorded = std::mem::take(&mut engine.recorded);
    drop(engine);

    // Naive router, same inputs, bounded by events and seconds.
    let mut naive_result = None;
    if o.naive {
        let mut naive = Sim::new(NaiveRouter::new(), p);
        let setup = naive.setup();
        print_setup("naive", &setup);
        naive.expect = Some(recorded);
        let budget = Duration::from_secs_f64(o.naive_seconds);
        let wall = Instant::now();
        while (naive.lat_ns.len() as u64) < o.naive_events && wall.elapsed() < budget {
            naive.step();
        }
        print_counts("naive", &naive);
        let n = naive.lat_ns.len();
        naive_result = Some((Figures::of(&naive.lat_ns), Figures::of(&engine_lat[..n]), naive.mismatches));
    }

    println!();
    println!(
        "{:<22} {:>8} {:>12} {:>9} {:>9} {:>9} {:>10}",
        "router (events)", "events", "events/s", "p50 µs", "p99 µs", "p99.9 µs", "max µs"
    );
    row("engine (all)", &all);
    if let Some((naive, prefix, mismatches)) = &naive_result {
        row("engine (naive prefix)", prefix);
        row("naive (prefix)", naive);
        println!();
        println!(
            "engine / naive over the same {} events: {:.0}x events/s, p99 {:.0}x lower ({}; outputs identical: {})",
            naive.events,
            prefix.events_per_sec() / naive.events_per_sec(),
            naive.p99_us / prefix.p99_us.max(1e-9),
            if *mismatches == 0 { "same decisions" } else { "DIFFERENT decisions" },
            *mismatches == 0
        );
    }
    println!();
    println!(
        "{:<22} {:>8} {:>7} {:>9} {:>9} {:>9} {:>10}",
        "engine by input", "events", "time %", "mean µs", "p50 µs", "p99 µs", "max µs"
    );
    for (kind, f, share) in &by_kind {
        println!(
            "{kind:<22} {:>8} {:>7.1} {:>9.2} {:>9.2} {:>9.2} {:>10.2}",
            f.events,
            share * 100.0,
            f.mean_us(),
            f.p50_us,
            f.p99_us,
            f.max_us
        );
    }
    println!();
    println!("{:<22} {:>8} {:>12} {:>9} {:>9}", "engine by fifth of run", "events", "events/s", "p50 µs", "p99 µs");
    let fifth = engine_lat.len().div_ceil(5).max(1);
    for (i, w) in engine_lat.chunks(fifth).enumerate() {
        let f = Figures::of(w);
        println!(
            "{:<22} {:>8} {:>12.0} {:>9.2} {:>9.2}",
            format!("events {}..{}", i * fifth, i * fifth + w.len()),
            f.events,
            f.events_per_sec(),
            f.p50_us,
            f.p99_us
        );
    }
    println!();
    println!(
        "engine wall time {:.2} s for {} events ({:.0} events/s including the driver)",
        engine_wall.as_secs_f64(),
        all.events,
        all.events as f64 / engine_wall.as_secs_f64()
    );
    let ok = |b: bool| if b { "met" } else { "MISSED" };
    println!(
        "target >= 200000 events/s: {} ({:.0});  p99 <= 50 µs: {} ({:.2} µs)",
        ok(all.events_per_sec() >= 200_000.0),
        all.events_per_sec(),
        ok(all.p99_us <= 50.0),
        all.p99_us
    );
    if let Some((_, _, mismatches)) = naive_result {
        assert_eq!(mismatches, 0, "engine and naive router made different decisions");
    }
}

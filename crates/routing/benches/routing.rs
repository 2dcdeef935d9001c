//! Criterion benchmark of the routing engine under load.
//!
//! Workload (see `workload/mod.rs` for the details): 10,000 agents, 50 skills,
//! 10 queues mixing every strategy and routing steps, 100,000 waiting
//! contacts; every agent busy; a steady-state stream of finishes, accepts,
//! arrivals, rejects, abandons, status changes and ticks that keeps the
//! population stable. One benchmark iteration is one event: `handle` plus
//! draining the outputs.
//!
//! - `engine/steady_state_event`: the indexed [`Engine`];
//! - `naive/steady_state_event`: the same workload on the linear-scan
//!   [`NaiveRouter`] (fewer samples: one event costs milliseconds).
//!
//! Each population is built once, outside the measurement; criterion then
//! times events on it with `iter_custom` (summing per-event times, so the
//! driver's own bookkeeping is not counted). After both groups a summary
//! prints events/s, p50/p99 latency per event over every event criterion ran,
//! and the engine/naive ratios.
//!
//! `cargo bench -p hotline-routing --bench routing` runs the full size. Under
//! `cargo test` (criterion's test mode: no `--bench`, or `--test`) each
//! benchmark runs once on a small population, so tests stay fast.

#[path = "workload/mod.rs"]
mod workload;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hotline_routing::{Engine, NaiveRouter};
use workload::{Figures, Params, Router, Sim};

/// Mirrors criterion's own rule: benchmarks run only with `--bench` and
/// without `--test` (`--list` only lists).
fn full_size() -> bool {
    let has = |flag: &str| std::env::args().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list")
}

/// Builds the population of `router`, benchmarks one event on it, and
/// returns the latency figures over every event criterion ran.
fn bench_router<R: Router>(c: &mut Criterion, group: &str, router: R, params: Params, full: bool) -> Figures {
    let mut sim = Sim::new(router, params);
    let setup = sim.setup();
    println!(
        "{group}: setup {:.2} s ({} inputs): {} contacts waiting, {} in progress",
        setup.elapsed.as_secs_f64(),
        setup.inputs,
        setup.waiting,
        setup.busy
    );
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    if full && group == "naive" {
        // Milliseconds per event: ten samples, a bounded time.
        g.sample_size(10).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(20));
    } else if full {
        g.measurement_time(Duration::from_secs(10));
    }
    let start = Instant::now();
    g.bench_function("steady_state_event", |b| b.iter_custom(|iters| sim.run(iters)));
    g.finish();
    let figures = Figures::of(&sim.lat_ns);
    println!(
        "{group}: {} events in {:.1} s; population now {} waiting, {} in progress; {} inputs refused",
        figures.events,
        start.elapsed().as_secs_f64(),
        sim.router_waiting(),
        sim.busy(),
        sim.counts.refused
    );
    assert_eq!(sim.counts.refused, 0, "the router refused driver inputs");
    figures
}

fn steady_state(c: &mut Criterion) {
    let full = full_size();
    let params = if full { Params::FULL } else { Params::SMALL };
    println!(
        "routing workload: {} agents, {} skills, {} queues, {} waiting contacts",
        params.agents, params.skills, params.queues, params.waiting
    );
    let engine = bench_router(c, "engine", Engine::new(), params, full);
    let naive = bench_router(c, "naive", NaiveRouter::new(), params, full);

    println!();
    println!("{:<8} {:>9} {:>12} {:>9} {:>9} {:>9}", "router", "events", "events/s", "p50 µs", "p99 µs", "max µs");
    for (name, f) in [("engine", &engine), ("naive", &naive)] {
        println!(
            "{name:<8} {:>9} {:>12.0} {:>9.2} {:>9.2} {:>9.2}",
            f.events,
            f.events_per_sec(),
            f.p50_us,
            f.p99_us,
            f.max_us
        );
    }
    println!(
        "engine / naive: {:.0}x events/s, p99 {:.0}x lower",
        engine.events_per_sec() / naive.events_per_sec(),
        naive.p99_us / engine.p99_us.max(1e-9)
    );
    if full {
        let ok = |b: bool| if b { "met" } else { "MISSED" };
        println!(
            "target >= 200000 events/s: {};  p99 <= 50 µs: {}",
            ok(engine.events_per_sec() >= 200_000.0),
            ok(engine.p99_us <= 50.0)
        );
    }
}

criterion_group!(benches, steady_state);
criterion_main!(benches);

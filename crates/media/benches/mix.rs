//! What mixing costs per 20 ms frame, against the plain two-party relay.
//!
//! - `relay/2`: what a bridged two-party call does per frame today: each
//!   side's G.711 payload decoded and encoded again for the other side.
//! - `mixed/N`: N participants' payloads decoded, the plan's distinct mixes
//!   summed, each mix encoded once (a supervisor listening makes 3 parties;
//!   a six-party conference 6).
//!
//! `cargo bench -p hotline-media --bench mix`

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hotline_media::g711::{ulaw_decode, ulaw_encode};
use hotline_media::jitter::FRAME;
use hotline_media::mix::{Mixer, Monitor, Plan, Role, MAX_PARTIES};

fn payload(seed: u8) -> [u8; FRAME] {
    std::array::from_fn(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
}

fn decode(p: &[u8; FRAME], out: &mut [i16; FRAME]) {
    for (o, &b) in out.iter_mut().zip(p) {
        *o = ulaw_decode(b);
    }
}

fn encode(s: &[i16; FRAME], out: &mut [u8; FRAME]) {
    for (o, &v) in out.iter_mut().zip(s) {
        *o = ulaw_encode(v);
    }
}

fn roles(n: usize) -> Vec<Role> {
    match n {
        3 => vec![Role::Customer { held: false }, Role::Agent, Role::Supervisor(Monitor::Listen)],
        _ => std::iter::once(Role::Customer { held: false }).chain(std::iter::repeat_n(Role::Agent, n - 1)).collect(),
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("per_frame");
    let payloads: Vec<[u8; FRAME]> = (0..MAX_PARTIES as u8).map(payload).collect();
    let mut pcm = [[0i16; FRAME]; MAX_PARTIES];
    let mut wire = [[0u8; FRAME]; MAX_PARTIES];

    g.throughput(Throughput::Elements(2));
    g.bench_function(BenchmarkId::new("relay", 2), |b| {
        b.iter(|| {
            for side in 0..2 {
                decode(black_box(&payloads[side]), &mut pcm[side]);
                encode(&pcm[side], &mut wire[1 - side]);
            }
            black_box(&wire);
        })
    });

    for n in [2usize, 3, 4, 6] {
        let mut mixer = Mixer::new(Plan::from_roles(&roles(n)));
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("mixed", n), |b| {
            b.iter(|| {
                for i in 0..n {
                    decode(black_box(&payloads[i]), &mut pcm[i]);
                }
                mixer.mix(&pcm[..n]);
                for (k, out) in wire.iter_mut().enumerate().take(mixer.mixes()) {
                    encode(mixer.output(k), out);
                }
                black_box(&wire);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

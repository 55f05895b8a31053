//! Computes every package for a persona and prints the time it took, for a quick look at the
//! engine's speed: `cargo run --release -p flinks-sandbox --example all_attributes [N]` times
//! the All package on a bulk persona of N transactions (50,000 by default).

use std::time::Instant;

use flinks_sandbox::catalog::{catalog, Package};
use flinks_sandbox::engine::{self, Scope};
use flinks_sandbox::personas;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 15).expect("a date");
    for p in Package::ALL {
        println!(
            "{:<18} {:>4} attributes",
            p.title(),
            catalog().package(p).count()
        );
    }
    let started = Instant::now();
    let bulk = personas::bulk(personas::DEFAULT_SEED, as_of, n);
    let generated = started.elapsed();
    // The catalog is built once per process; build it before timing the engine.
    let _ = catalog();
    let mut best = f64::MAX;
    let mut details = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let all = engine::package(Package::All, &bulk, as_of, &Scope::default());
        best = best.min(started.elapsed().as_secs_f64());
        details = all.iter().map(|a| a.detail.len()).sum();
    }
    println!(
        "bulk persona of {n} transactions generated in {:.3} s; All computed in {:.3} s (best of 5), {details} detail rows",
        generated.as_secs_f64(),
        best
    );
}

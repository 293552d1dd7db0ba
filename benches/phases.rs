//! Each phase of the compiler on fleets of 10 to 10,000 pairs: parse, model and checks,
//! plan, render; and the formatter on heavily commented policies. `cargo bench --bench phases` (the whole process: `scripts/bench.sh`).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use zplan::fleet::fleet_policy;
use zplan::{check, facts, model, plan, render, syntax};

/// Fleet sizes, in pairs; `ZPLAN_BENCH_PAIRS=10,100` measures fewer.
fn sizes() -> Vec<usize> {
    std::env::var("ZPLAN_BENCH_PAIRS")
        .ok()
        .map(|list| list.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 100, 1_000, 10_000])
}

fn phases(c: &mut Criterion) {
    let mut group = c.benchmark_group("phase");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for pairs in sizes() {
        let source = fleet_policy(pairs, 1);
        let file = syntax::parse(&source).expect("the fleet parses");
        let (policy, problems) = model::build(&file);
        assert!(problems.is_empty(), "the fleet is valid");
        let planned = plan::plan(&facts::Facts::derive(&policy), "fleet.zplan");
        group.throughput(Throughput::Elements(pairs as u64));
        group.bench_with_input(BenchmarkId::new("parse", pairs), &source, |b, source| b.iter(|| syntax::parse(source)));
        group.bench_with_input(BenchmarkId::new("model+check", pairs), &file, |b, file| {
            b.iter(|| {
                let (policy, _) = model::build(file);
                check::check(&facts::Facts::derive(&policy)).len()
            })
        });
        group.bench_with_input(BenchmarkId::new("plan", pairs), &policy, |b, policy| {
            let derived = facts::Facts::derive(policy);
            b.iter(|| plan::plan(&derived, "fleet.zplan"))
        });
        group.bench_with_input(BenchmarkId::new("render", pairs), &planned, |b, planned| {
            b.iter(|| render::render(planned))
        });
        group.bench_with_input(BenchmarkId::new("compile", pairs), &source, |b, source| {
            b.iter(|| zplan::compile(source, "fleet.zplan"))
        });
    }
    group.finish();
}

/// `zplan fmt` of policies whose every line carries a comment: comments are found by binary
/// search, so 10x the blocks should cost about 10x the time, not 100x.
fn format(c: &mut Criterion) {
    let mut group = c.benchmark_group("format");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    let block = "node n {  # a node\n  # about its address\n  address 10.0.0.1  # where\n}\n\n";
    for blocks in [2_000, 20_000] {
        let source = block.repeat(blocks);
        group.throughput(Throughput::Elements(blocks as u64));
        group.bench_with_input(BenchmarkId::new("commented-blocks", blocks), &source, |b, source| {
            b.iter(|| zplan::format::format(source))
        });
    }
    group.finish();
}

criterion_group!(benches, phases, format);
criterion_main!(benches);

//! Scan throughput on generated plans, against a bare `serde_json` parse of the same file.
//!
//!     cargo bench --bench scan

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

mod configgen;
mod plangen;

fn scan(c: &mut Criterion) {
    let policy = cbaudit::policy::Policy::default_policy();
    let rules = cbaudit::engine::select_rules(&policy, &[], &[]).expect("rules");
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let text = plangen::generate(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("serde_json_value", n), &text, |b, text| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(text).expect("parses"))
        });
        group.bench_with_input(BenchmarkId::new("scan_json_report", n), &text, |b, text| {
            b.iter(|| {
                let mut inv = cbaudit::model::Inventory::new();
                cbaudit::source::load_bytes("plan.json", text.as_bytes(), &mut inv).expect("loads");
                let report = cbaudit::engine::run(&inv, &policy, &rules);
                // The waiver step runs on every scan (the policy's waivers, recounting).
                let report = cbaudit::waiver::Waivers {
                    file: &policy.waivers,
                    controls: &policy.waiver_controls,
                    today: cbaudit::waiver::parse_date("2027-01-15").expect("date"),
                }
                .apply(vec![report]);
                cbaudit::report::render(&report, cbaudit::report::Format::Json, &Default::default())
            })
        });
    }
    group.finish();
}

fn configuration(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("cbaudit-bench-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    configgen::generate(&dir, 2_000);
    let mut group = c.benchmark_group("hcl");
    group.sample_size(10);
    group.bench_function("parse_evaluate_2000_resources_200_files", |b| {
        b.iter(|| cbaudit::source::load(&[&dir]).expect("loads"))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, scan, configuration);
criterion_main!(benches);

//! Faults between the SDK and moto: throttling, 5xx, slow answers and dropped connections
//! on a share of the calls. The scan completes with the same findings, or reports unknown
//! for what it could not read, and never runs past its deadline.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use cbaudit::source::live::{scan_async, Recorder};

use super::equivalence::{covered, live_findings, live_scan, options, seeded, Key};
use super::harness;
use super::proxy::{Faults, Proxy};

/// (rule, address) → outcome.
fn outcomes(keys: &std::collections::BTreeSet<Key>) -> BTreeMap<(String, String), String> {
    keys.iter()
        .map(|(r, a, o)| ((r.clone(), a.clone()), o.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_give_the_same_findings_or_unknowns() {
    let rules = covered();
    let (moto, seeder) = seeded("clever-better/violating").await;
    let clean = live_scan(&moto).await;
    let clean = outcomes(&live_findings(&seeder, &clean, &rules));

    let faults = Faults {
        throttle: 10,
        server_error: 8,
        slow: 6,
        drop: 6,
        delay: Duration::from_millis(1500),
    };
    let proxy = Proxy::start(moto.port, faults, 0x5eed).await;
    let mut opts = options(&proxy.endpoint());
    opts.timeout = Duration::from_secs(90);
    let started = Instant::now();
    let scan = scan_async(&opts, Recorder::default())
        .await
        .expect("the scan completes through faults");
    let took = started.elapsed();
    let counts = &proxy.counts;
    let injected = counts.throttled.load(std::sync::atomic::Ordering::Relaxed)
        + counts
            .server_errors
            .load(std::sync::atomic::Ordering::Relaxed)
        + counts.dropped.load(std::sync::atomic::Ordering::Relaxed)
        + counts.slowed.load(std::sync::atomic::Ordering::Relaxed);
    assert!(injected > 10, "faults were injected: {counts:?}");
    assert!(
        took <= opts.timeout + Duration::from_secs(5),
        "ran {took:?}"
    );
    assert!(
        scan.calls.attempts() > scan.calls.calls(),
        "retries happened ({} calls, {} attempts)",
        scan.calls.calls(),
        scan.calls.attempts()
    );

    let faulty = outcomes(&live_findings(&seeder, &scan, &rules));
    for (key, outcome) in &faulty {
        match clean.get(key) {
            Some(o) if o == outcome => {}
            _ if outcome == "unknown" => {}
            other => panic!("{key:?}: {outcome} under faults, {other:?} without"),
        }
    }
    for (key, outcome) in &clean {
        let now = faulty.get(key).map(String::as_str);
        assert!(
            now == Some(outcome.as_str()) || now == Some("unknown") || scan_has_gaps(&scan),
            "{key:?}: {outcome} without faults, {now:?} under faults"
        );
    }
    eprintln!(
        "faults: {counts:?}; {} calls, {} attempts, {:?}; {} findings ({} clean)",
        scan.calls.calls(),
        scan.calls.attempts(),
        took,
        faulty.len(),
        clean.len()
    );
}

fn scan_has_gaps(scan: &cbaudit::source::live::LiveScan) -> bool {
    scan.inventories.iter().any(|i| !i.gaps().is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_never_runs_past_its_timeout() {
    let (moto, _seeder) = seeded("clever-better/violating").await;
    harness::set_scan_env();
    // Every answer is slow: the scan must stop at its deadline and say what it missed.
    let faults = Faults {
        throttle: 0,
        server_error: 0,
        slow: 100,
        drop: 0,
        delay: Duration::from_secs(3),
    };
    let proxy = Proxy::start(moto.port, faults, 7).await;
    let mut opts = options(&proxy.endpoint());
    opts.timeout = Duration::from_secs(8);
    opts.concurrency = 32; // every reader starts at once: the one-call readers finish
    let started = Instant::now();
    let scan = scan_async(&opts, Recorder::default()).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(11), "the 8 s scan took {took:?}");
    let scan = scan.expect("some readers finish within the deadline, so the scan reports");
    assert!(
        scan.inventories.iter().any(|i| !i.is_empty()),
        "what was read is kept"
    );
    let gaps: Vec<String> = scan
        .inventories
        .iter()
        .flat_map(|i| i.gaps())
        .map(|g| g.reason.to_string())
        .collect();
    assert!(
        gaps.iter().any(|g| g.contains("not finished within")),
        "unfinished readers are reported: {gaps:?}"
    );
}

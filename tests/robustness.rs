//! Mutated inputs never panic: every truncation, flipped byte, deleted or repeated range of
//! a real plan and a real configuration either loads or fails with an error (exit 2), and
//! whatever loads is checked and rendered in every format.

use std::path::Path;

use cbaudit::engine;
use cbaudit::policy::Policy;
use cbaudit::report::{self, Format, HumanOptions};

/// Mutations per input (`CBAUDIT_FUZZ_ROUNDS` raises it for a longer local run).
fn rounds() -> usize {
    std::env::var("CBAUDIT_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}

fn mutate(text: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = text.to_vec();
    let n = out.len();
    match rng.below(5) {
        0 => out.truncate(rng.below(n)),
        1 => {
            let i = rng.below(n);
            let bytes = b"{}[]\",:\\0 \n\xff";
            out[i] = bytes[rng.below(bytes.len())];
        }
        2 => {
            let a = rng.below(n);
            let b = (a + rng.below(200)).min(n);
            out.drain(a..b);
        }
        3 => {
            let a = rng.below(n);
            let b = (a + rng.below(200)).min(n);
            let piece = out[a..b].to_vec();
            out.splice(a..a, piece);
        }
        _ => {
            let i = rng.below(n);
            let bytes = b"\"$%{\n";
            out.insert(i, bytes[rng.below(bytes.len())]);
        }
    }
    out
}

fn scan_everything(path: &Path) {
    let Ok(inv) = cbaudit::source::load(&[path]) else {
        return; // an error is the expected answer to most mutations
    };
    let policy = Policy::default_policy();
    let rules = engine::select_rules(&policy, &[], &[]).expect("rules");
    let report = engine::run(&inv, &policy, &rules);
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Gitlab,
    ] {
        let _ = report::render(&report, format, &HumanOptions::default());
    }
}

#[test]
fn mutated_plans_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let text = std::fs::read(root.join("rules/CB-SG-002/fail/plan.json")).expect("plan");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("plan.json");
    let mut rng = Rng(0x05ee_dcba_0d17);
    for round in 0..rounds() {
        let mutated = mutate(&text, &mut rng);
        std::fs::write(&path, &mutated).expect("write");
        let result = std::panic::catch_unwind(|| scan_everything(&path));
        assert!(result.is_ok(), "round {round}: a mutated plan panicked");
    }
}

#[test]
fn mutated_configurations_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let text = std::fs::read(root.join("rules/CB-SG-002/fail/main.tf")).expect("config");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("main.tf");
    let mut rng = Rng(0xc0ff_ee11);
    for round in 0..rounds() {
        let mutated = mutate(&text, &mut rng);
        std::fs::write(&path, &mutated).expect("write");
        let result = std::panic::catch_unwind(|| scan_everything(dir.path()));
        assert!(
            result.is_ok(),
            "round {round}: a mutated configuration panicked"
        );
    }
}

//! Snapshots of every per-rule fixture's human output, scanned as a plan (beside its `.tf`,
//! so with source snippets) and as a directory, with that rule alone and the fixture's own
//! policy if it has one. `expected.json` pins rule, resource and outcome; these pin the
//! words: changing a message is a snapshot diff a reviewer reads (`cargo insta review`).

use std::path::Path;

use cbaudit::engine;
use cbaudit::policy::Policy;
use cbaudit::report::{self, Format, HumanOptions};

fn render(input: &Path, rule: &str, policy: &Policy) -> String {
    let inv =
        cbaudit::source::load(&[input]).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let rules = engine::select_rules(policy, &[rule.to_string()], &[]).expect("rules");
    let human = HumanOptions {
        color: false,
        quiet: false,
        width: Some(100),
        show_waived: false,
    };
    report::render(&engine::run(&inv, policy, &rules), Format::Human, &human)
}

#[test]
fn per_rule_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Relative paths keep the snapshots independent of the checkout location.
    std::env::set_current_dir(root).expect("cd");
    insta::glob!("../fixtures/rules", "CB-*/*/plan.json", |plan| {
        let dir = plan.parent().expect("fixture dir");
        let case = dir.strip_prefix(root).expect("inside the repository");
        let rule = case
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .expect("fixtures/rules/<ID>/<case>");
        let policy_path = case.join("policy.toml");
        let policy = match std::fs::read_to_string(&policy_path) {
            Ok(text) => Policy::parse(&policy_path.display().to_string(), &text).expect("policy"),
            Err(_) => Policy::default_policy(),
        };
        let plan = render(&case.join("plan.json"), rule, &policy);
        let directory = render(case, rule, &policy);
        insta::assert_snapshot!(format!(
            "── plan ({})\n{plan}\n── directory ({})\n{directory}",
            case.join("plan.json").display(),
            case.display()
        ));
    });
}

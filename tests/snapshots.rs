//! Snapshots of every reporter on the violating architecture: reviewing an output change is
//! reading a snapshot diff (`cargo insta review`).

use cbaudit::engine;
use cbaudit::policy::Policy;
use cbaudit::report::{self, Format, HumanOptions};

fn report_of(plan: &str) -> engine::Report {
    // Relative paths keep the snapshots independent of the checkout location.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("cd");
    let inv = cbaudit::source::load(&[plan]).expect("plan loads");
    let policy = Policy::default_policy();
    let rules = engine::select_rules(&policy, &[], &[]).expect("rules");
    engine::run(&inv, &policy, &rules)
}

fn render(plan: &str, format: Format) -> String {
    let human = HumanOptions {
        color: false,
        quiet: false,
        width: Some(100),
        show_waived: false,
    };
    report::render(&report_of(plan), format, &human)
}

const VIOLATING: &str = "fixtures/clever-better/violating/plan.json";

#[test]
fn human() {
    insta::assert_snapshot!(render(VIOLATING, Format::Human));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(VIOLATING, Format::Json));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(render(VIOLATING, Format::Sarif));
}

#[test]
fn junit() {
    insta::assert_snapshot!(render(VIOLATING, Format::Junit));
}

#[test]
fn github() {
    insta::assert_snapshot!(render(VIOLATING, Format::Github));
}

#[test]
fn output_is_deterministic() {
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
    ] {
        assert_eq!(render(VIOLATING, format), render(VIOLATING, format));
    }
}

/// The same architecture scanned as Terraform configuration: snippets of the `.tf` lines.
#[test]
fn human_from_configuration() {
    insta::assert_snapshot!(render("fixtures/clever-better/violating", Format::Human));
}

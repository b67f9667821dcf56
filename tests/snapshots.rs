//! Snapshots of every reporter on the violating architecture: reviewing an output change is
//! reading a snapshot diff (`cargo insta review`).

mod waived;

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

fn options(show_waived: bool) -> HumanOptions {
    HumanOptions {
        color: false,
        quiet: false,
        width: Some(100),
        show_waived,
    }
}

fn render(plan: &str, format: Format) -> String {
    report::render(&report_of(plan), format, &options(false))
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
fn gitlab() {
    insta::assert_snapshot!(render(VIOLATING, Format::Gitlab));
}

const FORMATS: [Format; 6] = [
    Format::Human,
    Format::Json,
    Format::Sarif,
    Format::Junit,
    Format::Github,
    Format::Gitlab,
];

#[test]
fn output_is_deterministic() {
    for format in FORMATS {
        assert_eq!(render(VIOLATING, format), render(VIOLATING, format));
    }
    let (a, b) = (waived::report(), waived::report());
    for format in FORMATS {
        assert_eq!(
            report::render(&a, format, &options(true)),
            report::render(&b, format, &options(true))
        );
    }
}

/// The violating architecture with inline, policy and baseline waivers, an expired one,
/// an unused one and a baseline entry fixed since (`tests/waived/mod.rs`).
#[test]
fn json_waived() {
    insta::assert_snapshot!(report::render(
        &waived::report(),
        Format::Json,
        &options(false)
    ));
}

#[test]
fn human_waived() {
    insta::assert_snapshot!(report::render(
        &waived::report(),
        Format::Human,
        &options(false)
    ));
}

#[test]
fn human_waived_shown() {
    insta::assert_snapshot!(report::render(
        &waived::report(),
        Format::Human,
        &options(true)
    ));
}

/// The same architecture scanned as Terraform configuration: snippets of the `.tf` lines.
#[test]
fn human_from_configuration() {
    insta::assert_snapshot!(render("fixtures/clever-better/violating", Format::Human));
}

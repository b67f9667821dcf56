//! `docs/rules.md`, the rule catalogue, is generated from the registry and each rule's doc
//! comment (what `cbaudit explain` prints), so it never drifts from the code. This test
//! fails when it is stale; `CBAUDIT_UPDATE_DOCS=1 cargo test --test docs` rewrites it.

use std::fmt::Write as _;
use std::path::Path;

use cbaudit::rules::RULES;

fn catalogue() -> String {
    let mut s = String::from(
        "<!-- Generated from the rule registry (src/rules/mod.rs) and the rules' doc comments by\n     tests/docs.rs: do not edit; run `CBAUDIT_UPDATE_DOCS=1 cargo test --test docs`. -->\n\n\
         # Rule catalogue\n\n\
         Every guarantee of the architecture document (`docs/architecture-document.md`) is a rule\n\
         with a stable ID (`CB-<AREA>-<NNN>`, never reused) and a kebab-case name (both accepted\n\
         by `cbaudit explain`). The numbers and names a rule compares against come from the\n\
         policy (`rules/clever-better.toml`, `docs/policy.md`); how each rule decides pass, fail\n\
         or unknown on every source is in `docs/rule-semantics.md`. Scope says what a rule\n\
         judges in a live or aggregator scan: the architecture's resources, or the whole account.\n\n\
         | ID | name | severity | area | scope | checks |\n|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let _ = writeln!(
            s,
            "| [{id}](#{anchor}) | {name} | {sev} | {area} | {scope} | {summary} |",
            id = r.id,
            anchor = format!("{}-{}", r.id, r.name).to_lowercase(),
            name = r.name,
            sev = r.severity,
            area = r.area,
            scope = r.scope,
            summary = r.summary().replace('|', "\\|"),
        );
    }
    for r in RULES {
        let _ = write!(
            s,
            "\n## {} {}\n\nSeverity: {} · Area: {} · Scope: {}\n\n",
            r.id, r.name, r.severity, r.area, r.scope
        );
        let mut fenced = false;
        for line in r.doc.lines() {
            let line = line.strip_prefix(' ').unwrap_or(line);
            if line.starts_with("```") {
                fenced = !fenced;
            }
            // The rule's own headings sit one level below its section.
            if !fenced && line.starts_with('#') {
                s.push('#');
            }
            s.push_str(line.trim_end());
            s.push('\n');
        }
    }
    s
}

#[test]
fn the_rule_catalogue_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let want = catalogue();
    if std::env::var_os("CBAUDIT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("write docs/rules.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `CBAUDIT_UPDATE_DOCS=1 cargo test --test docs`"
    );
}

//! Baselines survive unrelated change (issue 11, item 5). A baseline records findings by
//! fingerprint (`engine::assign_fingerprints`: rule, resource address, subject, attribute,
//! an ordinal); these tests prove through the CLI that it accepts the same findings after
//!
//! 1. five unrelated edits of a `.tf` directory (lines moved, a resource added, one
//!    removed, formatting and block order, a refactor renaming a variable and a local), and
//!    still fails on exactly one new violation and reports exactly one fixed;
//! 2. the plan's `resource_changes` and `planned_values` reordered;
//! 3. a plan scanned alone versus its `.tf` directory (and the plan beside its `.tf`).
//!
//! The live proof (keyed on ARN, region order) is `tests/live/baseline.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// Waivers are judged on a fixed day.
const TODAY: &str = "2027-01-15";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[path = "common/json_scan.rs"]
mod json_scan;

use json_scan::{fingerprint, multiset, Scan};

impl Scan {
    /// The fingerprints of the findings a baseline records (not waived, not about a
    /// waiver).
    fn recordable(&self) -> BTreeMap<String, usize> {
        multiset(
            self.findings()
                .iter()
                .filter(|f| recordable(f))
                .map(fingerprint),
        )
    }

    /// The finding of `rule` on `resource`, if there is exactly one.
    fn one(&self, rule: &str, resource: &str) -> Option<&Value> {
        let mut hits = self
            .findings()
            .iter()
            .filter(|f| f["rule_id"] == rule && f["resource"] == resource);
        let first = hits.next();
        assert!(hits.next().is_none(), "several {rule} on {resource}");
        first
    }
}

/// Whether a baseline records the finding: not waived (a baseline's own acceptance
/// aside), not one of the waiver checks (CB-WVR-*).
fn recordable(f: &Value) -> bool {
    let kind = &f["suppression"]["kind"];
    (kind.is_null() || kind == "baseline")
        && !f["rule_id"]
            .as_str()
            .unwrap_or_default()
            .starts_with("CB-WVR-")
}

/// `a` minus `b`, as multisets.
fn minus(a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>) -> BTreeMap<String, usize> {
    a.iter()
        .filter_map(|(k, n)| {
            let left = n.saturating_sub(b.get(k).copied().unwrap_or(0));
            (left > 0).then(|| (k.clone(), left))
        })
        .collect()
}

/// How people name a finding: rule, resource (or `missing:<subject>`), subject, attribute.
fn describe(f: &Value) -> String {
    format!(
        "{} {} subject={} attribute={} ({}: {})",
        f["rule_id"].as_str().unwrap_or_default(),
        f["resource"].as_str().unwrap_or("missing"),
        f["subject"].as_str().unwrap_or_default(),
        f["attribute"].as_str().unwrap_or("-"),
        f["outcome"].as_str().unwrap_or_default(),
        f["message"].as_str().unwrap_or_default()
    )
}

/// `cbaudit scan INPUT --format json --today TODAY EXTRA…`, run from an empty directory
/// (no `cbaudit.toml` above it). Exit 0 or 1; anything else fails the test.
fn scan(input: &Path, extra: &[&str]) -> Scan {
    let cwd = tempfile::tempdir().expect("tempdir");
    let out = Command::cargo_bin("cbaudit")
        .expect("binary")
        .current_dir(cwd.path())
        .env("NO_COLOR", "1")
        .arg("scan")
        .arg(input)
        .args(["--format", "json", "--today", TODAY, "--quiet"])
        .args(extra)
        .output()
        .expect("cbaudit runs");
    let code = out.status.code().expect("an exit code");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        code == 0 || code == 1,
        "{}: exit {code}\n{stderr}",
        input.display()
    );
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: JSON: {e}\n{stderr}", input.display()));
    Scan { code, doc }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// The fingerprints a baseline file records.
fn recorded(baseline: &Path) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(baseline).expect("baseline written");
    let doc: Value = serde_json::from_str(&text).expect("baseline is JSON");
    multiset(
        doc["findings"]
            .as_array()
            .expect("baseline findings")
            .iter()
            .map(fingerprint),
    )
}

// ---------------------------------------------------------------------------------------
// 1. Five unrelated edits of a directory
// ---------------------------------------------------------------------------------------

/// Copies `from` into `to` (recursively), leaving out files named in `skip`.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name), skip);
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copy");
        }
    }
}

/// The violating architecture as a bare `.tf` directory (no plan beside it).
fn violating_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &fixtures().join("clever-better/violating"),
        dir.path(),
        &["plan.json", "expected.json"],
    );
    dir
}

/// Every `.tf` file under `dir`, sorted.
fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(tf_files(&path));
        } else if path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Replaces `from` by `to` in `file`, which must contain it `times` times.
fn edit(file: &Path, from: &str, to: &str, times: usize) {
    let text = read(file);
    assert_eq!(
        text.matches(from).count(),
        times,
        "{}: {from:?} occurrences",
        file.display()
    );
    write(file, &text.replace(from, to));
}

/// The top-level chunks of a `.tf` file: each block with the comments and blank lines
/// above it (a trailing comment without a block is a chunk of its own).
fn chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_block = false;
    for line in text.split_inclusive('\n') {
        current.push_str(line);
        let bare = line.trim_end();
        if !in_block {
            let starts = !bare.is_empty()
                && !bare.starts_with('#')
                && !bare.starts_with("//")
                && !bare.starts_with(' ');
            if starts {
                in_block = !bare.ends_with('}');
                if !in_block {
                    out.push(std::mem::take(&mut current));
                }
            }
        } else if bare == "}" {
            in_block = false;
            out.push(std::mem::take(&mut current));
        }
    }
    assert!(!in_block, "an unterminated top-level block");
    if !current.trim().is_empty() {
        out.push(current);
    }
    out.into_iter()
        .map(|c| if c.ends_with('\n') { c } else { c + "\n" })
        .collect()
}

/// Reverses the attribute lines of the block that starts with `header` (they must all be
/// one-line attributes).
fn reverse_attributes(file: &Path, header: &str) {
    let text = read(file);
    let start = text.find(header).expect("block header") + header.len();
    let end = start + text[start..].find("\n}\n").expect("block end");
    let body: Vec<&str> = text[start..end].trim_start_matches('\n').lines().collect();
    assert!(
        body.len() > 2 && body.iter().all(|l| l.contains(" = ") && !l.ends_with('{')),
        "{header}: not a block of one-line attributes: {body:?}"
    );
    let reversed: Vec<&str> = body.into_iter().rev().collect();
    let out = format!(
        "{}\n{}{}",
        &text[..start],
        reversed.join("\n"),
        &text[end..]
    );
    write(file, &out);
}

/// (a) Lines move: comments and blank lines at the top of every file and between blocks.
fn move_lines(dir: &Path) {
    for file in tf_files(dir) {
        let text = read(&file);
        let spread = text.replace(
            "\n}\n\n",
            "\n}\n\n# ------------------------------------------------------------\n# (a note a reviewer asked for)\n\n\n",
        );
        write(
            &file,
            &format!("# Reviewed 2027-01: see the runbook.\n\n\n\n{spread}"),
        );
    }
}

/// (b) An unrelated resource that violates nothing: a log group kept the documented 90
/// days, and an SNS topic nothing alarms to.
fn add_unrelated(dir: &Path) {
    write(
        &dir.join("batch.tf"),
        r#"# Backtesting batch jobs (not part of the production architecture).
resource "aws_cloudwatch_log_group" "backtest_batch" {
  name              = "/batch/${local.name}-backtest"
  retention_in_days = var.log_retention_days
}

resource "aws_sns_topic" "backtest_reports" {
  name = "${local.name}-backtest-reports"
}
"#,
    );
}

/// (c) Resources removed that no rule needed: the e-mail subscription of the alerts topic
/// and the managed policy attachment of the RDS monitoring role.
fn remove_unrelated(dir: &Path) {
    for (file, header) in [
        (
            "monitoring.tf",
            "resource \"aws_sns_topic_subscription\" \"alerts_email\" {",
        ),
        (
            "rds.tf",
            "resource \"aws_iam_role_policy_attachment\" \"rds_monitoring\" {",
        ),
    ] {
        let path = dir.join(file);
        let kept: Vec<String> = chunks(&read(&path))
            .into_iter()
            .filter(|c| !c.contains(header))
            .collect();
        write(&path, &kept.concat());
        assert!(!read(&path).contains(header), "{header} removed");
    }
}

/// `name      = value` → `name = value`: an attribute's `=` no longer aligned.
fn unalign(line: &str) -> Option<String> {
    let name_end = line.find(|c: char| !(c.is_ascii_alphanumeric() || "_-\"".contains(c)))?;
    let after = &line[name_end..];
    let value = after.trim_start_matches(' ');
    (name_end > 0 && after.len() > value.len() && value.starts_with("= "))
        .then(|| format!("{} {value}", &line[..name_end]))
}

/// (d) Formatting: indentation doubled and `=` alignment dropped everywhere, attributes
/// reordered inside two blocks, the blocks of two files in reverse order, one file split
/// into two.
fn reformat(dir: &Path) {
    for file in tf_files(dir) {
        let text = read(&file);
        let mut out = String::with_capacity(text.len() * 2);
        for line in text.split_inclusive('\n') {
            let indent = line.len() - line.trim_start_matches(' ').len();
            let rest = &line[indent..];
            out.push_str(&" ".repeat(indent * 2));
            out.push_str(&unalign(rest).unwrap_or_else(|| rest.to_string()));
        }
        write(&file, &out);
    }
    reverse_attributes(
        &dir.join("security.tf"),
        "resource \"aws_security_group_rule\" \"app_ssh\" {",
    );
    reverse_attributes(
        &dir.join("security.tf"),
        "resource \"aws_vpc_security_group_ingress_rule\" \"ops_tooling_from_vpc\" {",
    );
    for file in ["security.tf", "network.tf"] {
        let path = dir.join(file);
        let mut blocks = chunks(&read(&path));
        assert!(blocks.len() > 5, "{file}: {} blocks", blocks.len());
        blocks.reverse();
        write(&path, &blocks.concat());
    }
    let s3 = dir.join("s3.tf");
    let blocks = chunks(&read(&s3));
    let half = blocks.len() / 2;
    write(&s3, &blocks[..half].concat());
    write(&dir.join("s3_replica.tf"), &blocks[half..].concat());
}

/// (e) A refactor: a variable, a local and a module's variable renamed where declared and
/// everywhere used.
fn rename(dir: &Path) {
    edit(
        &dir.join("variables.tf"),
        "variable \"vpc_cidr\" {",
        "variable \"vpc_cidr_block\" {",
        1,
    );
    edit(
        &dir.join("network.tf"),
        "var.vpc_cidr,",
        "var.vpc_cidr_block,",
        4,
    );
    edit(
        &dir.join("network.tf"),
        "var.vpc_cidr\n",
        "var.vpc_cidr_block\n",
        1,
    );
    edit(
        &dir.join("security.tf"),
        "var.vpc_cidr\n",
        "var.vpc_cidr_block\n",
        1,
    );
    edit(
        &dir.join("locals.tf"),
        "  app_port = 8000",
        "  application_port = 8000",
        1,
    );
    edit(
        &dir.join("security.tf"),
        "local.app_port\n",
        "local.application_port\n",
        4,
    );
    for file in tf_files(dir) {
        let text = read(&file);
        write(
            &file,
            &text.replace("service_common", "shared_service_settings"),
        );
    }
    let module = dir.join("modules/ecs-service");
    edit(
        &module.join("variables.tf"),
        "variable \"assign_public_ip\" {",
        "variable \"public_ip\" {",
        1,
    );
    edit(
        &module.join("main.tf"),
        "var.assign_public_ip",
        "var.public_ip",
        1,
    );
    edit(
        &dir.join("ecs.tf"),
        "  assign_public_ip  = true",
        "  public_ip         = true",
        1,
    );
}

/// The first line of each finding's location, by fingerprint (to see lines did move).
fn lines(scan: &Scan) -> BTreeSet<(String, String, u64)> {
    scan.findings()
        .iter()
        .filter_map(|f| {
            Some((
                fingerprint(f),
                f["location"]["path"].as_str()?.to_string(),
                f["location"]["line"].as_u64()?,
            ))
        })
        .collect()
}

#[test]
fn five_unrelated_edits_give_no_new_finding_then_one_violation_gives_one() {
    let original = violating_copy();
    let base = tempfile::tempdir().expect("tempdir");
    let baseline = base.path().join("cbaudit.baseline.json");
    let baseline_arg = path_str(&baseline);

    let written = scan(original.path(), &["--write-baseline", baseline_arg]);
    assert_eq!(written.code, 0, "the baseline accepts what it records");
    let before = written.fingerprints();
    assert!(
        before.values().sum::<usize>() >= 20,
        "the violating fixture has its violations: {}",
        written.findings().len()
    );
    assert_eq!(
        recorded(&baseline),
        before,
        "the baseline records every finding"
    );
    assert_eq!(written.active(), 0);
    let resources = written.summary("resources");

    // Each edit changes what the scan reads: lines, or the resources counted.
    enum Shows {
        LinesMoved,
        Resources(usize),
        Nothing,
    }
    let all = |dir: &Path| {
        rename(dir);
        remove_unrelated(dir);
        add_unrelated(dir);
        reformat(dir);
        move_lines(dir);
    };
    type Edit<'a> = &'a dyn Fn(&Path);
    let edits: [(&str, Edit, Shows); 6] = [
        ("(a) lines moved", &move_lines, Shows::LinesMoved),
        (
            "(b) unrelated resources added",
            &add_unrelated,
            Shows::Resources(resources + 2),
        ),
        (
            "(c) unrelated resources removed",
            &remove_unrelated,
            Shows::Resources(resources - 2),
        ),
        (
            "(d) reformatted, reordered, split",
            &reformat,
            Shows::LinesMoved,
        ),
        (
            "(e) variable, local, module variable renamed",
            &rename,
            Shows::Nothing,
        ),
        ("all five at once", &all, Shows::Resources(resources)),
    ];
    for (what, apply, shows) in edits {
        let copy = violating_copy();
        apply(copy.path());
        let after = scan(copy.path(), &["--baseline", baseline_arg]);
        let new: Vec<String> = after
            .findings()
            .iter()
            .filter(|f| !before.contains_key(&fingerprint(f)))
            .map(describe)
            .collect();
        assert!(new.is_empty(), "{what}: new findings:\n{}", new.join("\n"));
        assert_eq!(after.fingerprints(), before, "{what}: the same findings");
        assert_eq!(after.active(), 0, "{what}: active findings");
        assert_eq!(after.summary("fixed"), 0, "{what}: fixed");
        assert_eq!(
            (after.summary("fail"), after.summary("unknown")),
            (0, 0),
            "{what}"
        );
        assert_eq!(after.code, 0, "{what}: exit status");
        match shows {
            Shows::LinesMoved => assert_ne!(lines(&after), lines(&written), "{what}: lines"),
            Shows::Resources(n) => assert_eq!(after.summary("resources"), n, "{what}"),
            Shows::Nothing => {}
        }
    }

    // One new violation: a third ECR repository, not scanned on push.
    let copy = violating_copy();
    edit(
        &copy.path().join("locals.tf"),
        "  ecr_repositories = {\n",
        "  ecr_repositories = {\n    research = { name = \"${local.name}-research\", scan_on_push = false, keep_images = 10 }\n",
        1,
    );
    let after = scan(copy.path(), &["--baseline", baseline_arg]);
    assert_eq!(after.code, 1, "a new violation fails the run");
    assert_eq!(after.active(), 1, "exactly one active finding");
    assert_eq!(after.summary("fixed"), 0);
    let new = minus(&after.fingerprints(), &before);
    assert_eq!(
        new.values().sum::<usize>(),
        1,
        "one new fingerprint: {new:?}"
    );
    let found = after
        .one("CB-ECR-001", "aws_ecr_repository.service[\"research\"]")
        .expect("the new repository's finding");
    assert!(new.contains_key(&fingerprint(found)), "{}", describe(found));
    assert!(found["suppression"].is_null(), "the new finding is active");

    // One baselined violation fixed: CloudTrail validates its log files again.
    let copy = violating_copy();
    edit(
        &copy.path().join("audit.tf"),
        "enable_log_file_validation = false",
        "enable_log_file_validation = true",
        1,
    );
    let after = scan(copy.path(), &["--baseline", baseline_arg]);
    assert_eq!(after.code, 0, "fixing a violation fails nothing");
    assert_eq!(after.active(), 0);
    assert_eq!(after.summary("fixed"), 1, "exactly one fixed entry");
    let gone = minus(&before, &after.fingerprints());
    let trail = written
        .one("CB-AUD-001", "aws_cloudtrail.main")
        .expect("the trail's finding");
    assert_eq!(
        gone,
        BTreeMap::from([(fingerprint(trail), 1)]),
        "the trail's finding is the one gone"
    );
    let fixed = after.doc["fixed"].as_array().expect("fixed");
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(
        fingerprint(&fixed[0]),
        fingerprint(trail),
        "the fixed entry"
    );
}

#[test]
fn the_edit_helpers_do_what_they_claim() {
    // The chunker sees every top-level block of a file, the comments above kept with it.
    let text = "# head\n\nresource \"a\" \"b\" {\n  x = 1\n}\n\n# about c\nlocals {\n  y = {\n  }\n}\n# tail\n";
    let c = chunks(text);
    assert_eq!(c.len(), 3, "{c:?}");
    assert_eq!(c.concat(), text);
    assert!(c[1].starts_with("\n# about c\nlocals {"), "{c:?}");
    // Alignment goes, values stay.
    assert_eq!(
        unalign("name          = \"a  = b\"\n").as_deref(),
        Some("name = \"a  = b\"\n")
    );
    assert_eq!(unalign("\"q\"   = 1").as_deref(), Some("\"q\" = 1"));
    assert_eq!(unalign("x == y"), None);
    assert_eq!(
        unalign("tags = {").as_deref(),
        Some("tags = {"),
        "unchanged"
    );
    assert_eq!(unalign("}"), None);
    // Attribute lines reversed inside their block only.
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("a.tf");
    write(
        &f,
        "resource \"x\" \"y\" {\n  a = 1\n  b = 2\n  c = 3\n}\n\nresource \"x\" \"z\" {\n  d = 4\n}\n",
    );
    reverse_attributes(&f, "resource \"x\" \"y\" {");
    assert_eq!(
        read(&f),
        "resource \"x\" \"y\" {\n  c = 3\n  b = 2\n  a = 1\n}\n\nresource \"x\" \"z\" {\n  d = 4\n}\n"
    );
}

// ---------------------------------------------------------------------------------------
// 2. Plan reordering
// ---------------------------------------------------------------------------------------

/// A deterministic permutation: reversed, then rotated by a third.
fn permute(items: &mut [Value]) {
    items.reverse();
    let by = items.len() / 3;
    items.rotate_left(by);
}

/// Permutes the resources of a `planned_values` (or `prior_state` values) module and its
/// child modules, and the child modules themselves.
fn permute_module(module: &mut Value) -> usize {
    let mut moved = 0;
    if let Some(resources) = module.get_mut("resources").and_then(Value::as_array_mut) {
        moved += resources.len();
        permute(resources);
    }
    if let Some(children) = module
        .get_mut("child_modules")
        .and_then(Value::as_array_mut)
    {
        permute(children);
        for child in children {
            moved += permute_module(child);
        }
    }
    moved
}

#[test]
fn reordering_a_plan_changes_no_fingerprint() {
    for rel in [
        "clever-better/violating",
        "team-modules",
        "styles/clusters/aurora-module",
        "styles/nulls/module-inputs",
        "styles/ecr/policies-by-module",
        "styles/tls/profiles-by-module",
        "styles/plan-alone/keyed-subnets",
    ] {
        let dir = fixtures().join(rel);
        let text = read(&dir.join("plan.json"));
        let mut plan: Value = serde_json::from_str(&text).expect("plan JSON");
        let changes = plan["resource_changes"]
            .as_array_mut()
            .expect("resource_changes");
        let n = changes.len();
        let first = changes[0]["address"].clone();
        permute(changes);
        assert_ne!(changes[0]["address"], first, "{rel}: reordered");
        let mut moved = permute_module(&mut plan["planned_values"]["root_module"]);
        if let Some(prior) = plan
            .get_mut("prior_state")
            .and_then(|p| p.get_mut("values"))
            .and_then(|v| v.get_mut("root_module"))
        {
            moved += permute_module(prior);
        }
        assert!(n > 3 && moved > 3, "{rel}: too small to reorder");
        let has_modules = plan["planned_values"]["root_module"]["child_modules"]
            .as_array()
            .is_some_and(|c| !c.is_empty());

        let alone = tempfile::tempdir().expect("tempdir");
        std::fs::copy(dir.join("plan.json"), alone.path().join("plan.json")).expect("copy");
        let permuted = tempfile::tempdir().expect("tempdir");
        write(
            &permuted.path().join("plan.json"),
            &serde_json::to_string(&plan).expect("JSON"),
        );
        let original = scan(&alone.path().join("plan.json"), &[]);
        let reordered = scan(&permuted.path().join("plan.json"), &[]);
        assert!(
            !original.findings().is_empty(),
            "{rel}: a plan with findings to fingerprint"
        );
        assert_eq!(
            reordered.fingerprints(),
            original.fingerprints(),
            "{rel} (modules: {has_modules}): fingerprints after reordering"
        );
        // And a baseline of one accepts the other.
        let base = tempfile::tempdir().expect("tempdir");
        let baseline = base.path().join("b.json");
        scan(
            &alone.path().join("plan.json"),
            &["--write-baseline", path_str(&baseline)],
        );
        let accepted = scan(
            &permuted.path().join("plan.json"),
            &["--baseline", path_str(&baseline)],
        );
        assert_eq!(
            (accepted.active(), accepted.summary("fixed"), accepted.code),
            (0, 0, 0),
            "{rel}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 3. Plan and directory
// ---------------------------------------------------------------------------------------

/// Every fixture project with a committed `plan.json` and its `.tf` files.
fn projects() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut has_plan = false;
        let mut has_tf = false;
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.file_name().is_some_and(|n| n == "plan.json") {
                has_plan = true;
            } else if path.extension().is_some_and(|x| x == "tf") {
                has_tf = true;
            }
        }
        if has_plan && has_tf {
            out.push(dir.to_path_buf());
        }
    }
    let mut out = Vec::new();
    walk(&fixtures(), &mut out);
    out.sort();
    out
}

/// How the test matches findings across sources: rule, resource (or missing subject).
fn source_key(f: &Value) -> (String, String) {
    (
        f["rule_id"].as_str().expect("rule_id").to_string(),
        f["resource"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| format!("missing:{}", f["subject"].as_str().unwrap_or_default())),
    )
}

/// What a finding's fingerprint hashes, apart from the ordinal: rule, resource, subject,
/// attribute, and whether it is an unknown.
type Identity = (String, String, String, String, String);

fn identity(f: &Value) -> Identity {
    let (rule, resource) = source_key(f);
    (
        rule,
        resource,
        f["subject"].as_str().unwrap_or_default().to_string(),
        f["attribute"].as_str().unwrap_or_default().to_string(),
        f["outcome"].as_str().unwrap_or_default().to_string(),
    )
}

fn by_identity(s: &Scan) -> BTreeMap<Identity, Vec<String>> {
    let mut m: BTreeMap<Identity, Vec<String>> = BTreeMap::new();
    for f in s.findings() {
        m.entry(identity(f)).or_default().push(fingerprint(f));
    }
    for v in m.values_mut() {
        v.sort();
    }
    m
}

/// How two scans of the same code differ.
#[derive(Default)]
struct Differences {
    /// Findings of one scan only (no finding of the other with the same identity), and
    /// identities found a different number of times.
    notes: Vec<String>,
    /// The same identity with fingerprints that are not one a part of the other.
    unstable: Vec<String>,
    /// The same rule and resource with a different subject, attribute or outcome.
    reworded: Vec<String>,
}

fn differences(a: &Scan, b: &Scan, names: (&str, &str)) -> Differences {
    let (ia, ib) = (by_identity(a), by_identity(b));
    let mut d = Differences::default();
    for (id, fa) in &ia {
        let Some(fb) = ib.get(id) else {
            d.notes.push(format!("only {}: {id:?}", names.0));
            continue;
        };
        let (small, large) = if fa.len() <= fb.len() {
            (fa, fb)
        } else {
            (fb, fa)
        };
        if !small.iter().all(|fp| large.contains(fp)) {
            d.unstable.push(format!("{id:?}: {fa:?} vs {fb:?}"));
        }
        if fa.len() != fb.len() {
            d.notes.push(format!(
                "{id:?}: {} times {}, {} times {}",
                fa.len(),
                names.0,
                fb.len(),
                names.1
            ));
        }
    }
    for id in ib.keys().filter(|id| !ia.contains_key(*id)) {
        d.notes.push(format!("only {}: {id:?}", names.1));
    }
    let parts = |m: &BTreeMap<Identity, Vec<String>>| {
        type Parts = BTreeSet<(String, String, String)>;
        let mut out: BTreeMap<(String, String), Parts> = BTreeMap::new();
        for (r, res, subject, attr, outcome) in m.keys() {
            out.entry((r.clone(), res.clone())).or_default().insert((
                subject.clone(),
                attr.clone(),
                outcome.clone(),
            ));
        }
        out
    };
    let (pa, pb) = (parts(&ia), parts(&ib));
    for (k, sa) in &pa {
        if let Some(sb) = pb.get(k) {
            if sa != sb {
                d.reworded.push(format!(
                    "{k:?}: (subject, attribute, outcome) {sa:?} {} vs {sb:?} {}",
                    names.0, names.1
                ));
            }
        }
    }
    d
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A project's policy arguments (`policy.toml` beside it).
fn policy_args(dir: &Path) -> Vec<String> {
    let p = dir.join("policy.toml");
    if p.is_file() {
        vec!["--policy".to_string(), path_str(&p).to_string()]
    } else {
        Vec::new()
    }
}

/// The projects `tests/equivalence.rs` proves give the same (rule, resource, outcome)
/// from the plan beside the `.tf` files and from the directory.
fn proven_equivalent(rel: &str) -> bool {
    rel.starts_with("clever-better/")
        || rel.starts_with("independent")
        || rel == "team-modules"
        || rel.starts_with("rules/")
}

/// Scans `dir` against the baseline written from `plan`'s scan, and checks that the
/// baseline accepts every directory finding the plan scan had too and reports as fixed
/// exactly the plan findings the directory does not have.
fn check_baseline(
    rel: &str,
    way: &str,
    plan: &Scan,
    baseline: &Path,
    dir: &Path,
    policy: &[String],
    errors: &mut Vec<String>,
) -> usize {
    let mut extra = policy.to_vec();
    extra.extend(["--baseline".to_string(), path_str(baseline).to_string()]);
    let from_dir = scan(dir, &args(&extra));
    let recorded = recorded(baseline);
    assert_eq!(recorded, plan.recordable(), "{rel} [{way}]: the baseline");
    let dir_recordable: Vec<Value> = from_dir
        .findings()
        .iter()
        .filter(|f| recordable(f))
        .cloned()
        .collect();
    let mut left = recorded.clone();
    let mut new = Vec::new();
    for f in &dir_recordable {
        match left.get_mut(&fingerprint(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                assert_eq!(
                    f["suppression"]["kind"],
                    "baseline",
                    "{rel} [{way}]: accepted: {}",
                    describe(f)
                );
            }
            _ => {
                assert!(
                    f["suppression"].is_null(),
                    "{rel} [{way}]: not in the baseline, yet accepted: {}",
                    describe(f)
                );
                new.push(f);
            }
        }
    }
    let planned = multiset(
        plan.findings()
            .iter()
            .filter(|f| recordable(f))
            .map(|f| format!("{:?}", identity(f))),
    );
    let mut shared = multiset(new.iter().map(|f| format!("{:?}", identity(f))));
    for (id, n) in &mut shared {
        *n = (*n).min(planned.get(id).copied().unwrap_or(0));
    }
    for (id, n) in shared {
        if n > 0 {
            errors.push(format!(
                "{rel} [{way}]: the plan's baseline does not accept {n} directory finding(s) {id}"
            ));
        }
    }
    let fixed = minus(&recorded, &from_dir.recordable());
    let listed = multiset(
        from_dir.doc["fixed"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(fingerprint),
    );
    if from_dir.summary("fixed") != fixed.values().sum::<usize>() || listed != fixed {
        errors.push(format!(
            "{rel} [{way}]: fixed {listed:?} (summary {}), expected {fixed:?}",
            from_dir.summary("fixed")
        ));
    }
    dir_recordable.len() - new.len()
}

#[test]
fn plan_and_directory_scans_share_fingerprints() {
    let projects = projects();
    assert!(projects.len() > 50, "{} projects", projects.len());
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let (mut accepted_alone, mut accepted_beside) = (0, 0);
    for dir in &projects {
        let rel = dir
            .strip_prefix(fixtures())
            .unwrap_or(dir)
            .display()
            .to_string();
        let policy = policy_args(dir);
        let with = |extra: &[&str]| -> Vec<String> {
            policy
                .iter()
                .cloned()
                .chain(extra.iter().map(|s| s.to_string()))
                .collect()
        };
        let alone = tempfile::tempdir().expect("tempdir");
        let plan_alone = alone.path().join("plan.json");
        std::fs::copy(dir.join("plan.json"), &plan_alone).expect("copy");
        let base = tempfile::tempdir().expect("tempdir");
        let alone_baseline = base.path().join("alone.baseline.json");
        let beside_baseline = base.path().join("beside.baseline.json");

        let from_alone = scan(
            &plan_alone,
            &args(&with(&["--write-baseline", path_str(&alone_baseline)])),
        );
        let beside = scan(
            &dir.join("plan.json"),
            &args(&with(&["--write-baseline", path_str(&beside_baseline)])),
        );
        let from_dir = scan(dir, &args(&with(&[])));

        for (way, plan) in [("beside", &beside), ("alone", &from_alone)] {
            let d = differences(plan, &from_dir, (way, "directory"));
            for u in d.unstable {
                errors.push(format!(
                    "{rel} [{way} vs directory] fingerprints differ: {u}"
                ));
            }
            // The same code read from the plan beside it and from the directory: for the
            // projects proven equivalent, the same identities too.
            if way == "beside" && proven_equivalent(&rel) {
                for n in d.notes.iter().chain(&d.reworded) {
                    errors.push(format!("{rel} [beside vs directory]: {n}"));
                }
            } else {
                notes.extend(d.notes.into_iter().map(|n| format!("{rel}: {n}")));
                notes.extend(
                    d.reworded
                        .into_iter()
                        .map(|n| format!("{rel}: same rule and resource: {n}")),
                );
            }
        }
        accepted_alone += check_baseline(
            &rel,
            "alone",
            &from_alone,
            &alone_baseline,
            dir,
            &policy,
            &mut errors,
        );
        accepted_beside += check_baseline(
            &rel,
            "beside",
            &beside,
            &beside_baseline,
            dir,
            &policy,
            &mut errors,
        );
    }
    eprintln!(
        "{} projects; directory findings accepted by the baseline of the plan alone: {accepted_alone}, of the plan beside its .tf: {accepted_beside}; {} differences between sources:\n{}",
        projects.len(),
        notes.len(),
        notes.join("\n")
    );
    assert!(accepted_alone > 100, "only {accepted_alone} accepted");
    assert!(accepted_beside > accepted_alone, "{accepted_beside}");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// A plan alone cannot see a service's subnets (an unknown); the same service later gets
/// a public IP (a failure on the same rule, resource and attribute). The baseline of the
/// first accepts the unknown, never the failure.
#[test]
fn a_baselined_unknown_does_not_accept_a_new_failure() {
    let base = tempfile::tempdir().expect("tempdir");
    let baseline = base.path().join("b.json");
    let plan = |fixture: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(
            fixtures().join(fixture).join("plan.json"),
            dir.path().join("plan.json"),
        )
        .expect("copy");
        dir
    };
    let compliant = plan("clever-better/compliant");
    let violating = plan("clever-better/violating");
    let select = ["--select", "CB-ECS-003"];
    let before = scan(
        &compliant.path().join("plan.json"),
        &[&select[..], &["--write-baseline", path_str(&baseline)]].concat(),
    );
    let service = "module.bot.aws_ecs_service.this";
    let unknown = before.one("CB-ECS-003", service).expect("the unknown");
    assert_eq!(unknown["outcome"], "unknown", "{}", describe(unknown));
    let after = scan(
        &violating.path().join("plan.json"),
        &[&select[..], &["--baseline", path_str(&baseline)]].concat(),
    );
    let on_service: Vec<&Value> = after
        .findings()
        .iter()
        .filter(|f| f["resource"] == service)
        .collect();
    assert_eq!(on_service.len(), 2, "{on_service:#?}");
    for f in &on_service {
        let recorded = fingerprint(f) == fingerprint(unknown);
        match f["outcome"].as_str() {
            Some("unknown") => assert!(recorded, "the unknown keeps its fingerprint"),
            _ => assert!(!recorded, "the failure is new: {}", describe(f)),
        }
    }
    assert_eq!(after.active(), 1, "the failure");
    assert_eq!(after.summary("fixed"), 0);
    assert_eq!(after.code, 1, "a new failure fails the run");
}

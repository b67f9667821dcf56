//! The gate in every CI (issue 11, item 7): the GitHub Action (`action.yml`), the pre-commit
//! hook (`.pre-commit-hooks.yaml`, `scripts/pre-commit-cbaudit`) and the GitLab CI snippet
//! (`docs/ci/gitlab-ci.yml`), each read as YAML (serde_yaml_ng) and run here as far as this
//! machine allows.
//!
//! - The action: [`run_action`] plays the runner's part for a composite action. It gives
//!   every input its default or the test's value, substitutes the `${{ … }}` expressions
//!   (`inputs.*`, `github.*`, `runner.*`, `steps.*.outputs.*`; any other expression fails the
//!   test), runs each `run:` step with `bash --noprofile --norc -eo pipefail` (the runner's
//!   `shell: bash`) in a temporary workspace with `GITHUB_OUTPUT`, `GITHUB_ENV`,
//!   `GITHUB_PATH` and `GITHUB_WORKSPACE` pointing into a temporary directory, skips later
//!   steps after a failure unless their `if:` is `always()`, and evaluates the `if:` and
//!   `with:` of the `uses:` steps (the cache and the SARIF upload) without running them.
//!   cbaudit is not built by `cargo install` here: with `install: none` the test binary
//!   (`CARGO_BIN_EXE_cbaudit`) is put on PATH; with `install: action` a stand-in `cargo` on
//!   PATH records its arguments and copies the test binary where `cargo install --root`
//!   would put it.
//! - The hook: the script runs in a git repository holding copies of two fixture
//!   directories, with the files a commit changed, and `CBAUDIT` naming the test binary.
//! - GitLab: the job's `before_script` and `script` run in bash with the test binary on
//!   PATH (so its `cargo install` is skipped), when the binary knows `--format gitlab` (the
//!   `reports` branch adds it; until it is merged that part is skipped with a note).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;

const BIN: &str = env!("CARGO_BIN_EXE_cbaudit");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> String {
    repo().join(rel).display().to_string()
}

fn read_yaml(rel: &str) -> Yaml {
    let text = std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn s(v: &Yaml) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// A directory holding only `cbaudit` (a link to the test binary), for PATH.
fn bin_dir(under: &Path) -> PathBuf {
    let dir = under.join("cbaudit-bin");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(BIN, dir.join("cbaudit")).unwrap();
    dir
}

fn system_path() -> String {
    std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_string())
}

// ---------------------------------------------------------------------------------------
// The GitHub Action

/// What the emulated runner did with one step.
#[derive(Debug)]
struct StepRun {
    id: Option<String>,
    /// `run:` steps that ran: their exit status.
    status: Option<i32>,
    stdout: String,
    stderr: String,
    /// `uses:` steps: whether their `if:` holds, and their `with:` resolved.
    would_run: Option<bool>,
    with: BTreeMap<String, String>,
}

#[derive(Debug)]
struct ActionRun {
    steps: Vec<StepRun>,
    outputs: BTreeMap<String, String>,
    /// The job's result: the status of the first failing step, else 0.
    status: i32,
}

impl ActionRun {
    fn step(&self, id: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no step {id}"))
    }
    fn last(&self) -> &StepRun {
        self.steps.last().expect("steps")
    }
    fn upload(&self) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.with.contains_key("sarif_file"))
            .expect("an upload step")
    }
    fn cache(&self) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.with.contains_key("key"))
            .expect("a cache step")
    }
    fn output(&self, name: &str) -> &str {
        self.outputs.get(name).map(String::as_str).unwrap_or("")
    }
}

/// The runner's expression context for one run.
struct Context {
    inputs: BTreeMap<String, String>,
    github: BTreeMap<&'static str, String>,
    runner: BTreeMap<&'static str, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
}

impl Context {
    fn value(&self, expr: &str) -> String {
        let expr = expr.trim();
        let parts: Vec<&str> = expr.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self
                .inputs
                .get(*name)
                .cloned()
                .unwrap_or_else(|| panic!("action.yml uses undeclared input `{name}`")),
            ["github", key] => self.github.get(key).cloned().unwrap_or_else(|| {
                panic!("the emulated runner does not know `github.{key}`: add it")
            }),
            ["runner", key] => self.runner.get(key).cloned().unwrap_or_else(|| {
                panic!("the emulated runner does not know `runner.{key}`: add it")
            }),
            // GitHub gives an empty string for an output a step did not set.
            ["steps", id, "outputs", name] => self
                .steps
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            _ => panic!("the emulated runner cannot evaluate `{expr}`"),
        }
    }

    /// `${{ expr }}` substituted in `text`.
    fn substitute(&self, text: &str) -> String {
        let re = regex::Regex::new(r"\$\{\{(.*?)\}\}").unwrap();
        re.replace_all(text, |c: &regex::Captures| self.value(&c[1]))
            .into_owned()
    }

    /// An `if:` of the forms action.yml uses: terms joined by `&&`, each `always()`, or a
    /// context value compared with `==` / `!=` to a quoted string.
    fn condition(&self, cond: &str) -> bool {
        cond.split("&&").all(|term| {
            let term = term.trim();
            if term == "always()" {
                return true;
            }
            let (lhs, rhs, eq) = if let Some((l, r)) = term.split_once("==") {
                (l, r, true)
            } else if let Some((l, r)) = term.split_once("!=") {
                (l, r, false)
            } else {
                panic!("the emulated runner cannot evaluate the condition `{term}`")
            };
            let rhs = rhs.trim();
            let lit = rhs
                .strip_prefix('\'')
                .and_then(|r| r.strip_suffix('\''))
                .unwrap_or_else(|| panic!("not a quoted string: `{rhs}`"));
            (self.value(lhs) == lit) == eq
        })
    }
}

/// `name=value` lines and `name<<DELIMITER` blocks, as the runner reads `GITHUB_OUTPUT`.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

/// Runs action.yml's steps as a runner would (see the module's documentation).
/// `path` comes first on PATH, before the system's.
fn run_action(
    workspace: &Path,
    runner_dir: &Path,
    inputs: &[(&str, &str)],
    path: &[PathBuf],
) -> ActionRun {
    let action = read_yaml("action.yml");
    let declared = action["inputs"].as_mapping().expect("inputs");
    let mut values = BTreeMap::new();
    for (name, spec) in declared {
        let default = match &spec["default"] {
            Yaml::Null => String::new(),
            Yaml::String(v) => v.clone(),
            Yaml::Bool(b) => b.to_string(),
            other => panic!("input {name:?}: default {other:?} is not a string"),
        };
        values.insert(s(name).to_string(), default);
    }
    for (name, value) in inputs {
        assert!(
            values.contains_key(*name),
            "action.yml has no input `{name}`"
        );
        values.insert(name.to_string(), value.to_string());
    }
    std::fs::create_dir_all(runner_dir.join("temp")).unwrap();
    std::fs::create_dir_all(runner_dir.join("tool-cache")).unwrap();
    let mut ctx = Context {
        inputs: values,
        github: BTreeMap::from([
            ("action_path", repo().display().to_string()),
            ("workspace", workspace.display().to_string()),
        ]),
        runner: BTreeMap::from([
            ("os", "Linux".to_string()),
            ("temp", runner_dir.join("temp").display().to_string()),
            (
                "tool_cache",
                runner_dir.join("tool-cache").display().to_string(),
            ),
        ]),
        steps: BTreeMap::new(),
    };
    let mut path: Vec<String> = path.iter().map(|p| p.display().to_string()).collect();
    let mut job_env: BTreeMap<String, String> = BTreeMap::new();
    let mut status = 0;
    let mut runs = Vec::new();
    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    assert_eq!(s(&action["runs"]["using"]), "composite");
    for (i, step) in steps.iter().enumerate() {
        let id = step["id"].as_str().map(str::to_string);
        let cond = step["if"].as_str();
        if let Some(uses) = step["uses"].as_str() {
            let would_run = status == 0 || cond.is_some_and(|c| c.contains("always()"));
            let would_run = would_run && cond.is_none_or(|c| ctx.condition(c));
            let mut with = BTreeMap::new();
            if let Some(map) = step["with"].as_mapping() {
                for (k, v) in map {
                    with.insert(s(k).to_string(), ctx.substitute(s(v)));
                }
            }
            assert!(uses.contains('@'), "{uses}: pin a version");
            runs.push(StepRun {
                id,
                status: None,
                stdout: String::new(),
                stderr: String::new(),
                would_run: Some(would_run),
                with,
            });
            continue;
        }
        let script = s(&step["run"]);
        assert_eq!(
            step["shell"].as_str(),
            Some("bash"),
            "a composite action's run step names its shell"
        );
        let runs_now = match cond {
            None => status == 0,
            Some("always()") => true,
            Some(other) => panic!("run step {i}: the emulation supports no `if: {other}`"),
        };
        if !runs_now {
            runs.push(StepRun {
                id,
                status: None,
                stdout: String::new(),
                stderr: String::new(),
                would_run: None,
                with: BTreeMap::new(),
            });
            continue;
        }
        let files = runner_dir.join(format!("step-{i}"));
        std::fs::create_dir_all(&files).unwrap();
        let (output, env_file, path_file) =
            (files.join("output"), files.join("env"), files.join("path"));
        for f in [&output, &env_file, &path_file] {
            std::fs::write(f, "").unwrap();
        }
        let script_file = files.join("script.sh");
        std::fs::write(&script_file, ctx.substitute(script)).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(workspace)
            .env("PATH", format!("{}:{}", path.join(":"), system_path()))
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_ENV", &env_file)
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_ACTION_PATH", repo())
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_TEMP", runner_dir.join("temp"))
            .env("RUNNER_TOOL_CACHE", runner_dir.join("tool-cache"))
            .env_remove("CBAUDIT")
            .envs(&job_env);
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                cmd.env(s(k), ctx.substitute(s(v)));
            }
        }
        let out = cmd.output().expect("bash");
        let code = out.status.code().unwrap_or(-1);
        if let Some(id) = &id {
            let text = std::fs::read_to_string(&output).unwrap();
            ctx.steps.insert(id.clone(), parse_outputs(&text));
        }
        for line in std::fs::read_to_string(&path_file).unwrap().lines() {
            if !line.is_empty() {
                path.insert(0, line.to_string());
            }
        }
        job_env.extend(parse_outputs(&std::fs::read_to_string(&env_file).unwrap()));
        if code != 0 && status == 0 {
            status = code;
        }
        runs.push(StepRun {
            id,
            status: Some(code),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            would_run: None,
            with: BTreeMap::new(),
        });
    }
    let mut outputs = BTreeMap::new();
    for (name, spec) in action["outputs"].as_mapping().expect("outputs") {
        outputs.insert(s(name).to_string(), ctx.substitute(s(&spec["value"])));
    }
    ActionRun {
        steps: runs,
        outputs,
        status,
    }
}

/// A workspace and a runner directory, and a PATH directory with the test binary.
struct Sandbox {
    _tmp: tempfile::TempDir,
    workspace: PathBuf,
    runner: PathBuf,
    bin: PathBuf,
}

fn sandbox() -> Sandbox {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = tmp.path().join("workspace");
    let runner = tmp.path().join("runner");
    std::fs::create_dir_all(&workspace).unwrap();
    let bin = bin_dir(tmp.path());
    Sandbox {
        workspace,
        runner,
        bin,
        _tmp: tmp,
    }
}

fn sarif_results(path: &Path) -> Vec<Json> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let sarif: Json = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .clone()
}

fn explain(run: &ActionRun) -> String {
    run.steps
        .iter()
        .map(|s| {
            format!(
                "step {:?} status {:?}\n--- stdout\n{}\n--- stderr\n{}",
                s.id, s.status, s.stdout, s.stderr
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn action_is_a_composite_that_uploads_sarif_before_the_gate() {
    let action = read_yaml("action.yml");
    let inputs = action["inputs"].as_mapping().unwrap();
    for name in [
        "paths",
        "policy",
        "baseline",
        "waivers",
        "fail-on",
        "install",
        "sarif-file",
        "upload-sarif",
        "args",
    ] {
        assert!(inputs.contains_key(name), "input {name}");
    }
    assert_eq!(s(&action["inputs"]["paths"]["default"]), ".");
    assert_eq!(s(&action["inputs"]["fail-on"]["default"]), "low");
    assert_eq!(
        s(&action["inputs"]["sarif-file"]["default"]),
        "cbaudit.sarif"
    );
    assert_eq!(s(&action["inputs"]["upload-sarif"]["default"]), "true");
    for out in ["exit-code", "sarif-file"] {
        assert!(
            s(&action["outputs"][out]["value"]).contains("steps.scan.outputs."),
            "output {out}"
        );
    }
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let pos = |pred: &dyn Fn(&Yaml) -> bool| steps.iter().position(pred);
    let scan = pos(&|st| st["id"].as_str() == Some("scan")).expect("a scan step");
    let upload = pos(&|st| {
        st["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
    })
    .expect("an upload-sarif step");
    let up = &steps[upload];
    assert!(
        s(&up["if"]).contains("always()"),
        "the upload runs even after a failure"
    );
    assert_eq!(
        s(&up["with"]["sarif_file"]),
        "${{ steps.scan.outputs.upload-file }}"
    );
    assert_eq!(s(&action["inputs"]["upload-waived"]["default"]), "false");
    let gate = steps.len() - 1;
    assert!(
        scan < upload && upload < gate,
        "scan, upload, then the gate"
    );
    assert_eq!(steps[gate]["if"].as_str(), Some("always()"));
    assert!(s(&steps[gate]["run"]).contains("exit \"$CBAUDIT_EXIT_CODE\""));
    // The install: the CI-gate build of the action's own checkout.
    let install = steps
        .iter()
        .find(|st| st["id"].as_str() == Some("install"))
        .expect("an install step");
    assert!(s(&install["run"])
        .contains("cargo install --locked --no-default-features --path \"$CBAUDIT_ACTION_PATH\""));
    assert_eq!(
        s(&install["env"]["CBAUDIT_ACTION_PATH"]),
        "${{ github.action_path }}"
    );
}

#[test]
fn action_fails_the_gate_on_the_violating_plan_after_writing_and_uploading_sarif() {
    let sb = sandbox();
    let plan = fixture("fixtures/clever-better/violating/plan.json");
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[("paths", &plan), ("install", "none")],
        std::slice::from_ref(&sb.bin),
    );
    let why = explain(&run);
    assert_eq!(run.output("exit-code"), "1", "{why}");
    assert_eq!(run.output("sarif-file"), "cbaudit.sarif", "{why}");
    // The scan step itself succeeds; the last step fails with cbaudit's status.
    assert_eq!(run.step("scan").status, Some(0), "{why}");
    assert_eq!(run.last().status, Some(1), "{why}");
    assert_eq!(run.status, 1, "{why}");
    assert!(sarif_results(&sb.workspace.join("cbaudit.sarif")).len() >= 40);
    // Annotations in the log.
    assert!(run.step("scan").stdout.contains("::error file="), "{why}");
    let upload = run.upload();
    assert_eq!(upload.would_run, Some(true), "{why}");
    assert_eq!(upload.with["sarif_file"], "cbaudit.active.sarif");
    // Nothing is waived: the upload holds every result.
    assert_eq!(
        sarif_results(&sb.workspace.join(&upload.with["sarif_file"])).len(),
        sarif_results(&sb.workspace.join("cbaudit.sarif")).len()
    );
}

#[test]
fn action_passes_the_compliant_plan() {
    let sb = sandbox();
    let plan = fixture("fixtures/clever-better/compliant/plan.json");
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[
            ("paths", &plan),
            ("install", "none"),
            ("sarif-file", "reports/out.sarif"),
            ("upload-sarif", "false"),
        ],
        std::slice::from_ref(&sb.bin),
    );
    // (The action creates the report's directory.)
    let why = explain(&run);
    assert_eq!(run.output("exit-code"), "0", "{why}");
    assert_eq!(run.output("sarif-file"), "reports/out.sarif");
    assert_eq!(run.last().status, Some(0), "{why}");
    assert_eq!(run.status, 0, "{why}");
    assert!(sarif_results(&sb.workspace.join("reports/out.sarif")).is_empty());
    assert!(!run.step("scan").stdout.contains("::error"), "{why}");
    assert_eq!(run.upload().would_run, Some(false), "upload-sarif: false");
}

#[test]
fn action_with_a_baseline_passes_the_violating_plan() {
    let sb = sandbox();
    let plan = fixture("fixtures/clever-better/violating/plan.json");
    let written = Command::new(BIN)
        .args(["scan", &plan, "--quiet", "--write-baseline"])
        .arg(sb.workspace.join("cbaudit.baseline.json"))
        .output()
        .unwrap();
    assert_eq!(written.status.code(), Some(0), "{written:?}");
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[
            ("paths", &plan),
            ("install", "none"),
            ("baseline", "cbaudit.baseline.json"),
        ],
        std::slice::from_ref(&sb.bin),
    );
    let why = explain(&run);
    assert_eq!(run.output("exit-code"), "0", "{why}");
    assert_eq!(run.last().status, Some(0), "{why}");
    // The baselined findings stay in the SARIF report, as suppressed results; the upload
    // leaves them out (code scanning would open alerts for them), and no annotation
    // names them.
    let full = sarif_results(&sb.workspace.join("cbaudit.sarif"));
    assert!(full.len() >= 40);
    assert!(full
        .iter()
        .all(|r| r["suppressions"][0]["kind"] == "external"));
    let upload = run.upload();
    assert_eq!(upload.with["sarif_file"], "cbaudit.active.sarif", "{why}");
    assert!(sarif_results(&sb.workspace.join("cbaudit.active.sarif")).is_empty());
    assert!(!run.step("scan").stdout.contains("::error file="), "{why}");
    // upload-waived: the full report goes up.
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[
            ("paths", &plan),
            ("install", "none"),
            ("baseline", "cbaudit.baseline.json"),
            ("upload-waived", "true"),
        ],
        std::slice::from_ref(&sb.bin),
    );
    assert_eq!(
        run.upload().with["sarif_file"],
        "cbaudit.sarif",
        "{}",
        explain(&run)
    );

    // fail-on and extra args reach cbaudit: without the baseline, `never` passes and an
    // unknown extra option is a failed run.
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[("paths", &plan), ("install", "none"), ("fail-on", "never")],
        std::slice::from_ref(&sb.bin),
    );
    assert_eq!(run.output("exit-code"), "0", "{}", explain(&run));
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[
            ("paths", &plan),
            ("install", "none"),
            ("args", "--no-such-option"),
        ],
        std::slice::from_ref(&sb.bin),
    );
    assert_eq!(run.output("exit-code"), "2", "{}", explain(&run));
    assert_eq!(run.status, 2);
    assert_eq!(
        run.upload().would_run,
        Some(false),
        "no SARIF was written: nothing to upload"
    );
}

#[test]
fn action_installs_the_ci_gate_build_once() {
    let sb = sandbox();
    // A stand-in for cargo: records its arguments, and puts the test binary where
    // `cargo install --root DIR` would.
    let fake = sb.runner.join("fake-cargo");
    std::fs::create_dir_all(&fake).unwrap();
    let log = sb.runner.join("cargo.log");
    std::fs::write(
        fake.join("cargo"),
        format!(
            "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> '{log}'\nroot=\nwhile [ $# -gt 0 ]; do \
             if [ \"$1\" = --root ]; then root=$2; fi; shift; done\nmkdir -p \"$root/bin\"\n\
             ln -s '{BIN}' \"$root/bin/cbaudit\"\n",
            log = log.display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x"])
        .arg(fake.join("cargo"))
        .status()
        .unwrap();
    let plan = fixture("fixtures/clever-better/compliant/plan.json");
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[("paths", &plan)],
        std::slice::from_ref(&fake),
    );
    let why = explain(&run);
    assert_eq!(run.output("exit-code"), "0", "{why}");
    let calls = std::fs::read_to_string(&log).unwrap();
    let root = run_root(&run);
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [format!(
            "install --locked --no-default-features --path {} --root {root}",
            repo().display()
        )],
        "{why}"
    );
    assert!(root.starts_with(&sb.runner.join("tool-cache").display().to_string()));
    // The cache step restores that directory under a key of the sources.
    let cache = run.cache();
    assert_eq!(cache.would_run, Some(true));
    assert_eq!(cache.with["path"], root);
    assert!(cache.with["key"].starts_with("cbaudit-Linux-"), "{cache:?}");

    // A second run finds the build (as after a cache hit) and does not build again.
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[("paths", &plan)],
        std::slice::from_ref(&fake),
    );
    assert_eq!(run.output("exit-code"), "0", "{}", explain(&run));
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 1);

    // Without cargo or cbaudit on PATH the install fails, and so does the gate.
    let run = run_action(
        &sb.workspace,
        &sb.runner,
        &[("paths", &plan), ("install", "none")],
        &[],
    );
    if run.step("install").status == Some(2) {
        assert_eq!(run.step("scan").status, None, "skipped after the failure");
        assert_eq!(run.output("exit-code"), "");
        assert_eq!(run.last().status, Some(2), "{}", explain(&run));
    } else {
        eprintln!("a cbaudit on the system PATH: the no-install case is not checked");
    }
}

/// The directory the cache step saves: where the install puts cbaudit.
fn run_root(run: &ActionRun) -> String {
    run.cache().with["path"].clone()
}

// ---------------------------------------------------------------------------------------
// pre-commit

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "plan.json" || name == "expected.json" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

fn hook(repo_dir: &Path, args: &[&str]) -> (Output, Option<Json>) {
    let out = Command::new(repo().join("scripts/pre-commit-cbaudit"))
        .args(args)
        .current_dir(repo_dir)
        .env("CBAUDIT", BIN)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).ok();
    (out, json)
}

fn scanned(report: &Option<Json>) -> Vec<String> {
    report.as_ref().expect("a JSON report")["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["kind"], "hcl");
            i["path"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn pre_commit_hook_manifest() {
    let hooks = read_yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().expect("a list of hooks");
    assert_eq!(hooks.len(), 1);
    let h = &hooks[0];
    assert_eq!(s(&h["id"]), "cbaudit");
    assert_eq!(s(&h["language"]), "script");
    assert_eq!(
        h["require_serial"].as_bool(),
        Some(true),
        "one scan per commit"
    );
    let entry = repo().join(s(&h["entry"]));
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&entry).unwrap().permissions());
    assert!(mode & 0o111 != 0, "{entry:?} is executable");
    // pre-commit matches `files` with Python's re.search; this pattern means the same here.
    let files = regex::Regex::new(s(&h["files"])).unwrap();
    for yes in ["main.tf", "infra/prod.tfvars", "modules/db/variables.tf"] {
        assert!(files.is_match(yes), "{yes}");
    }
    for no in ["plan.json", "main.tf.bak", "README.md", "x.tfstate"] {
        assert!(!files.is_match(no), "{no}");
    }
}

#[test]
fn pre_commit_hook_scans_the_directories_of_the_changed_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q"]);
    copy_dir(
        &repo().join("fixtures/clever-better/violating"),
        &dir.join("stacks/violating"),
    );
    copy_dir(
        &repo().join("fixtures/clever-better/compliant"),
        &dir.join("stacks/compliant"),
    );
    std::fs::create_dir_all(dir.join("envs")).unwrap();
    std::fs::write(dir.join("envs/prod.tfvars"), "environment = \"prod\"\n").unwrap();
    std::fs::write(dir.join("README.md"), "stacks\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "stacks"]);

    // A commit that changes the compliant stack (two files) and a README.
    let append = |rel: &str, text: &str| {
        let path = dir.join(rel);
        let mut old = std::fs::read_to_string(&path).unwrap();
        old.push_str(text);
        std::fs::write(path, old).unwrap();
    };
    append("stacks/compliant/rds.tf", "\n# reviewed\n");
    append("stacks/compliant/terraform.tfvars", "\n");
    append("README.md", "more\n");
    git(dir, &["add", "-A"]);
    let changed = git(dir, &["diff", "--cached", "--name-only"]);
    let changed: Vec<&str> = changed.lines().collect();
    assert_eq!(changed.len(), 3, "{changed:?}");

    let mut args = vec!["--format=json"];
    args.extend(&changed);
    let (out, report) = hook(dir, &args);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(scanned(&report), ["stacks/compliant"]);

    // Then one that also changes the violating stack, in a module and its root.
    append("stacks/violating/rds.tf", "\n");
    append("stacks/violating/modules/ecs-service/main.tf", "\n");
    git(dir, &["add", "-A"]);
    let changed = git(dir, &["diff", "--cached", "--name-only"]);
    let mut args = vec!["--format=json"];
    args.extend(changed.lines());
    let (out, report) = hook(dir, &args);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        scanned(&report),
        [
            "stacks/compliant",
            "stacks/violating",
            "stacks/violating/modules/ecs-service"
        ]
    );

    // Options before `--` may take separate values; the gate follows them.
    let mut args = vec!["--format", "json", "--fail-on", "never", "--"];
    args.extend(changed.lines());
    let (out, report) = hook(dir, &args);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(scanned(&report).len(), 3);

    // Only a `.tfvars` without `.tf` beside it, or no Terraform file: nothing to scan.
    let (out, report) = hook(dir, &["--format=json", "envs/prod.tfvars", "README.md"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(report.is_none() && out.stdout.is_empty(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipping envs"));

    // A bad option is cbaudit's error, exit 2.
    let (out, _) = hook(dir, &["--no-such-option", "stacks/compliant/rds.tf"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

// ---------------------------------------------------------------------------------------
// GitLab CI

/// Whether the binary knows `--format gitlab` (the `reports` branch adds it).
fn knows_gitlab() -> bool {
    let help = Command::new(BIN).args(["scan", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(at) = help.find("--format <FORMAT>") else {
        panic!("no --format in `cbaudit scan --help`")
    };
    let rest = &help[at..];
    let values = rest
        .find("[possible values: ")
        .map(|i| &rest[i..i + rest[i..].find(']').unwrap()])
        .expect("the formats");
    values.contains("gitlab")
}

#[test]
fn gitlab_job_writes_the_code_quality_report_it_declares() {
    let doc = read_yaml("docs/ci/gitlab-ci.yml");
    let job = &doc["cbaudit"];
    let lines = |key: &str| -> Vec<String> {
        job[key]
            .as_sequence()
            .unwrap_or_else(|| panic!("{key}"))
            .iter()
            .map(|l| s(l).to_string())
            .collect()
    };
    let script = lines("script");
    let before = lines("before_script");
    let scan = script
        .iter()
        .find(|l| l.starts_with("cbaudit scan "))
        .expect("a cbaudit scan line");
    let words: Vec<&str> = scan.split_whitespace().collect();
    let after = |flag: &str| {
        words
            .iter()
            .position(|w| *w == flag)
            .map(|i| words[i + 1])
            .unwrap_or_else(|| panic!("{flag} in {scan}"))
    };
    assert_eq!(after("--format"), "gitlab");
    let report = after("--output");
    assert_eq!(s(&job["artifacts"]["reports"]["codequality"]), report);
    assert_eq!(
        s(&job["artifacts"]["when"]),
        "always",
        "the report is uploaded when the gate fails too"
    );
    assert!(before
        .iter()
        .any(|l| l.contains("cargo install --locked --no-default-features --git")));

    if !knows_gitlab() {
        eprintln!(
            "SKIPPED running the GitLab job: this cbaudit has no `--format gitlab` yet \
             (the reports branch adds it)"
        );
        return;
    }
    for (plan, code) in [
        ("fixtures/clever-better/violating/plan.json", 1),
        ("fixtures/clever-better/compliant/plan.json", 0),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let project = tmp.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        let bin = bin_dir(tmp.path());
        // GitLab runs before_script and script in one shell, stopping at the first failure.
        let mut sh = String::from("set -eo pipefail\n");
        sh.push_str(&format!("export CI_PROJECT_DIR='{}'\n", project.display()));
        for (k, v) in job["variables"].as_mapping().expect("variables") {
            sh.push_str(&format!("export {}=\"{}\"\n", s(k), s(v)));
        }
        sh.push_str(&format!("export CBAUDIT_PATHS='{}'\n", fixture(plan)));
        for l in before.iter().chain(&script) {
            sh.push_str(l);
            sh.push('\n');
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(&sh)
            .current_dir(&project)
            .env("PATH", format!("{}:{}", bin.display(), system_path()))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{plan}: {out:?}");
        let text = std::fs::read_to_string(project.join(report)).expect("the report");
        let issues: Json = serde_json::from_str(&text).expect("JSON");
        let issues = issues.as_array().expect("a JSON array of issues");
        assert_eq!(issues.is_empty(), code == 0, "{plan}");
        for issue in issues {
            for key in ["description", "check_name", "fingerprint", "severity"] {
                assert!(issue[key].is_string(), "{key} in {issue}");
            }
            assert!(
                ["info", "minor", "major", "critical", "blocker"]
                    .contains(&issue["severity"].as_str().unwrap()),
                "{issue}"
            );
            assert!(issue["location"]["path"].is_string(), "{issue}");
            assert!(issue["location"]["lines"]["begin"].is_u64(), "{issue}");
        }
    }
}

//! `cargo xtask <task>`: cbaudit's development tasks (the `xtask` alias is in
//! `.cargo/config.toml`).
//!
//! ```text
//! cargo xtask new-rule AREA NAME   # e.g. cargo xtask new-rule rds rds-deletion-protection
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask new-rule AREA NAME

  AREA  a folder of src/rules (aud, ecr, ecs, iam, log, mon, net, rds, s3, sec, sg, tls)
  NAME  the rule's kebab-case name (rds-deletion-protection); its file is NAME without the
        area prefix, in snake case (src/rules/rds/deletion_protection.rs)

Writes the rule file from a template, registers it (area module, rules::RULES under the
next free ID of the area, the rule count), and writes its pass/fail fixture skeletons.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["new-rule", area, name] => {
            // The workspace root: this crate lives in `<root>/xtask`.
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("xtask/ has a parent")
                .to_path_buf();
            match xtask::new_rule::scaffold(&root, area, name) {
                Ok(rule) => {
                    print!("{}", rule.report());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(2)
                }
            }
        }
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

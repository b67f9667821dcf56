//! `cargo xtask new-rule AREA NAME`: the files of a new rule, as clippy's `cargo dev
//! new_lint` writes them.
//!
//! - `src/rules/<area>/<stem>.rs` from `templates/rule.rs.txt`: the `declare_rule!` block
//!   under the next free ID of the area, the documentation sections `cbaudit explain`
//!   prints, a `check` that is `todo!()` and three unit tests that fail until written;
//! - its registration: `pub mod <stem>;` in `src/rules/<area>/mod.rs` (in rustfmt's order),
//!   its entry in `rules::RULES` (sorted by ID: after the area's last rule) and the rule
//!   count of `the_catalogue_is_complete`;
//! - `fixtures/rules/<ID>/{pass,fail}/main.tf` (the provider block every fixture uses) and
//!   `expected.json` (`[]` for pass, one failure to name for fail);
//! - a line for the rule in `docs/rule-semantics.md`, after the area's last rule.
//!
//! Everything is checked before anything is written: an unknown area, a name already used,
//! or an ID whose fixture directory exists leaves the repository as it was. The plans are
//! not generated here (Terraform and the provider mirror): the report names the command.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const RULE: &str = include_str!("../templates/rule.rs.txt");
const MAIN_TF: &str = include_str!("../templates/main.tf.txt");
const FAIL_JSON: &str = include_str!("../templates/fail.json.txt");

/// What [`scaffold`] wrote.
#[derive(Debug)]
pub struct NewRule {
    pub id: String,
    pub name: String,
    pub area: String,
    /// The rule's file stem and module name (`deletion_protection`).
    pub stem: String,
    /// The rule's static: its name in capitals (`RDS_DELETION_PROTECTION`).
    pub static_name: String,
    /// Files written, relative to the repository root.
    pub created: Vec<PathBuf>,
    /// Files edited, relative to the repository root.
    pub edited: Vec<PathBuf>,
    /// What could not be done automatically.
    pub notes: Vec<String>,
}

/// A rule file of an area: what its `declare_rule!` block says.
struct Declared {
    id: String,
    area_variant: String,
}

/// Writes a new rule named `name` in `src/rules/<area>/` of the repository at `root`.
pub fn scaffold(root: &Path, area: &str, name: &str) -> Result<NewRule, String> {
    let rules_dir = root.join("src/rules");
    let areas = areas(&rules_dir)?;
    if !areas.contains(area) {
        return Err(format!(
            "no area `{area}` in src/rules (areas: {}); a new area also needs an `Area` \
             variant, its folder and `pub mod` in src/rules/mod.rs",
            areas.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if !is_kebab(name) {
        return Err(format!(
            "`{name}` is not a kebab-case rule name (lowercase letters, digits, single '-')"
        ));
    }
    let stem = name
        .strip_prefix(&format!("{area}-"))
        .unwrap_or(name)
        .replace('-', "_");
    if !stem.starts_with(|c: char| c.is_ascii_lowercase()) || stem == "mod" {
        return Err(format!("`{stem}` cannot name a Rust module"));
    }
    let static_name = name.replace('-', "_").to_ascii_uppercase();
    let area_dir = rules_dir.join(area);
    let rule_path = area_dir.join(format!("{stem}.rs"));
    if rule_path.exists() {
        return Err(format!("{} exists already", rel(root, &rule_path)));
    }

    // The area's rules give its `Area` variant and the next free ID; every rule's name must
    // stay unique.
    let mut declared = Vec::new();
    for dir in &areas {
        for (path, text) in rust_files(&rules_dir.join(dir))? {
            // The fields of `pub static X = Rule { ... }` (after the doc comment).
            let Some(block) = text.split("declare_rule! {").nth(1) else {
                continue;
            };
            let block = block.split("pub static ").nth(1).unwrap_or("");
            let field = |key: &str| {
                block
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
                    .map(|v| v.trim_end_matches(',').trim_matches('"').to_string())
                    .ok_or_else(|| format!("{}: no `{key}` in declare_rule!", rel(root, &path)))
            };
            if field("name")? == name {
                return Err(format!(
                    "{} already declares a rule named `{name}`",
                    rel(root, &path)
                ));
            }
            if dir == area {
                declared.push(Declared {
                    id: field("id")?,
                    area_variant: field("area")?,
                });
            }
        }
    }
    let Some(first) = declared.first() else {
        return Err(format!(
            "src/rules/{area}/ declares no rule to take its `Area` variant from"
        ));
    };
    let area_variant = first.area_variant.clone();
    let prefix = format!("CB-{}-", area.to_ascii_uppercase());
    let mut last = 0;
    for d in &declared {
        let number =
            d.id.strip_prefix(&prefix)
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or_else(|| format!("{}: not an ID of the form {prefix}NNN", d.id))?;
        last = last.max(number);
    }
    let previous = format!("{prefix}{last:03}");
    let id = format!("{prefix}{:03}", last + 1);
    let fixtures = root.join("fixtures/rules").join(&id);
    if fixtures.exists() {
        return Err(format!("{} exists already", rel(root, &fixtures)));
    }

    let fill = |template: &str, case: &str| {
        template
            .replace("{{ID}}", &id)
            .replace("{{NAME}}", name)
            .replace("{{STATIC}}", &static_name)
            .replace("{{AREA}}", &area_variant)
            .replace("{{CASE}}", case)
    };
    let mut notes = Vec::new();

    // Every edit is computed before anything is written.
    let area_mod = area_dir.join("mod.rs");
    let area_mod_text = read(&area_mod)?;
    let area_mod_new = insert_module(&area_mod_text, &stem).ok_or_else(|| {
        format!(
            "{}: no `mod` declaration to insert beside",
            rel(root, &area_mod)
        )
    })?;
    let registry = rules_dir.join("mod.rs");
    let entry = format!("&{area}::{stem}::{static_name},");
    let mut registry_new = insert_registration(&read(&registry)?, area, &entry)
        .ok_or_else(|| format!("src/rules/mod.rs: no `&{area}::` entry in `RULES`"))?;
    match bump_rule_count(&registry_new) {
        Some(text) => registry_new = text,
        None => notes.push(
            "no rule count found in `the_catalogue_is_complete` (src/rules/mod.rs): \
             update any test that counts the rules"
                .to_string(),
        ),
    }
    let semantics = root.join("docs/rule-semantics.md");
    let semantics_new = std::fs::read_to_string(&semantics)
        .ok()
        .and_then(|text| insert_semantics(&text, &previous, &id, name));
    if semantics_new.is_none() {
        notes.push(format!(
            "docs/rule-semantics.md: no line for {previous} to add {id} after: describe its \
             pass, fail and unknown there"
        ));
    }

    let mut created = Vec::new();
    let mut edited = Vec::new();
    let mut write = |path: &Path, text: &str, new: bool| -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        let path = PathBuf::from(rel(root, path));
        if new {
            created.push(path);
        } else {
            edited.push(path);
        }
        Ok(())
    };
    write(&rule_path, &fill(RULE, ""), true)?;
    write(&area_mod, &area_mod_new, false)?;
    write(&registry, &registry_new, false)?;
    if let Some(text) = semantics_new {
        write(&semantics, &text, false)?;
    }
    for case in ["pass", "fail"] {
        let dir = fixtures.join(case);
        write(&dir.join("main.tf"), &fill(MAIN_TF, case), true)?;
        let expected = if case == "pass" {
            "[]\n".to_string()
        } else {
            fill(FAIL_JSON, case)
        };
        write(&dir.join("expected.json"), &expected, true)?;
    }
    Ok(NewRule {
        id,
        name: name.to_string(),
        area: area.to_string(),
        stem,
        static_name,
        created,
        edited,
        notes,
    })
}

impl NewRule {
    /// What was written and what is left to do, for the terminal.
    pub fn report(&self) -> String {
        let mut s = format!(
            "{} {}: new rule in src/rules/{}/\n",
            self.id, self.name, self.area
        );
        for path in &self.created {
            let _ = writeln!(s, "  created {}", path.display());
        }
        for path in &self.edited {
            let _ = writeln!(s, "  edited  {}", path.display());
        }
        for note in &self.notes {
            let _ = writeln!(s, "  note: {note}");
        }
        let fixtures = format!("fixtures/rules/{}", self.id);
        let _ = write!(
            s,
            "\nNext (every TODO is a failing test until it is done):\n\
             1. Write the doc comment and the check in src/rules/{area}/{stem}.rs, its unit \
             tests, and its line in docs/rule-semantics.md.\n\
             2. Write {fixtures}/pass/main.tf and {fixtures}/fail/main.tf, then generate their \
             plans:\n   fixtures/generate-plans.sh {fixtures}/pass {fixtures}/fail\n\
             3. Name the failing resources in {fixtures}/fail/expected.json.\n\
             4. cargo test --no-default-features --lib rules::{area}::{stem}\n   \
             cargo test --no-default-features --test fixtures --test rule_snapshots\n   \
             cargo insta review   # accept the new rule's human-output snapshots\n   \
             CBAUDIT_UPDATE_DOCS=1 cargo test --no-default-features --test docs   # docs/rules.md\n",
            area = self.area,
            stem = self.stem,
        );
        s
    }
}

/// The folders of `src/rules` that hold a `mod.rs` (the areas).
fn areas(rules_dir: &Path) -> Result<BTreeSet<String>, String> {
    let entries =
        std::fs::read_dir(rules_dir).map_err(|e| format!("{}: {e}", rules_dir.display()))?;
    Ok(entries
        .flatten()
        .filter(|e| e.path().join("mod.rs").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect())
}

/// The `.rs` files of a folder with their text, sorted by path.
fn rust_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| read(&p).map(|text| (p, text)))
        .collect()
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn is_kebab(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The module a line declares (`pub mod x;`, `mod x;`, `pub(crate) mod x;`).
fn declared_module(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("pub").map_or(line.trim(), |r| {
        r.trim_start()
            .strip_prefix("(crate)")
            .unwrap_or(r)
            .trim_start()
    });
    rest.strip_prefix("mod ")?.strip_suffix(';')
}

/// `text` (an area's `mod.rs`) with `pub mod <stem>;` in the last run of module
/// declarations, at the place rustfmt's `reorder_modules` keeps it (by name, attributes
/// staying with their item).
fn insert_module(text: &str, stem: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    // (first line of the item, its attribute lines included; line of `mod`; name)
    let mut items: Vec<(usize, usize, &str)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(name) = declared_module(line) {
            let mut start = i;
            while start > 0 && lines[start - 1].trim_start().starts_with("#[") {
                start -= 1;
            }
            items.push((start, i, name));
        }
    }
    let last = items.last()?;
    // The last run: items that follow each other with no other line between.
    let mut run_start = items.len() - 1;
    while run_start > 0 && items[run_start - 1].1 + 1 == items[run_start].0 {
        run_start -= 1;
    }
    let at = items[run_start..]
        .iter()
        .find(|(_, _, name)| *name > stem)
        .map_or(last.1 + 1, |(start, _, _)| *start);
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(at, format!("pub mod {stem};"));
    Some(out.join("\n") + "\n")
}

/// `text` (`src/rules/mod.rs`) with `entry` after the area's last entry of `RULES`, which
/// is sorted by ID (the new rule takes the area's next ID).
fn insert_registration(text: &str, area: &str, entry: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("pub static RULES:"))?;
    let end = start + lines[start..].iter().position(|l| l.trim() == "];")?;
    let last = (start..end)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with(&format!("&{area}::")))?;
    let indent = &lines[last][..lines[last].len() - lines[last].trim_start().len()];
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(last + 1, format!("{indent}{entry}"));
    Some(out.join("\n") + "\n")
}

/// `text` with the count of `the_catalogue_is_complete` (`RULES.len(),` then `N,`) one up.
fn bump_rule_count(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let test = lines
        .iter()
        .position(|l| l.contains("fn the_catalogue_is_complete"))?;
    let len = test
        + lines[test..]
            .iter()
            .take(8)
            .position(|l| l.trim() == "RULES.len(),")?;
    let count_line = lines.get(len + 1)?;
    let count: usize = count_line.trim().strip_suffix(',')?.parse().ok()?;
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[len + 1] = count_line.replace(&count.to_string(), &(count + 1).to_string());
    Some(out.join("\n") + "\n")
}

/// `text` (`docs/rule-semantics.md`) with a line for the new rule after the bullet of
/// `previous` (the area's last rule) and its continuation lines.
fn insert_semantics(text: &str, previous: &str, id: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let bullet = lines.iter().position(|l| {
        l.strip_prefix(&format!("- **{previous}"))
            .is_some_and(|rest| rest.starts_with([' ', '*']))
    })?;
    let end = bullet
        + 1
        + lines[bullet + 1..]
            .iter()
            .take_while(|l| l.starts_with("  "))
            .count();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(
        end,
        format!("- **{id} {name}**: TODO: what passes, what fails, what is unknown and why."),
    );
    Some(out.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_go_where_rustfmt_keeps_them() {
        let text = "//! CB-NET-* rules.\n\npub mod vpc_cidr;\n\npub mod default_vpc;\n\
                    mod routing;\n#[cfg(test)]\nmod testkit;\npub mod vpc_flow_logs;\n";
        assert_eq!(
            insert_module(text, "subnet_tags").unwrap(),
            "//! CB-NET-* rules.\n\npub mod vpc_cidr;\n\npub mod default_vpc;\nmod routing;\n\
             pub mod subnet_tags;\n#[cfg(test)]\nmod testkit;\npub mod vpc_flow_logs;\n"
        );
        assert!(insert_module(text, "zones")
            .unwrap()
            .ends_with("pub mod vpc_flow_logs;\npub mod zones;\n"));
        assert!(insert_module(text, "a")
            .unwrap()
            .contains("pub mod vpc_cidr;\n\npub mod a;\npub mod default_vpc;\n"));
        assert_eq!(insert_module("//! nothing\n", "x"), None);
    }

    #[test]
    fn registration_follows_the_areas_last_entry() {
        let text = "pub static RULES: &[&Rule] = &[\n    &net::a::A,\n    &net::b::B,\n    \
                    &rds::c::C,\n];\n";
        assert_eq!(
            insert_registration(text, "net", "&net::z::Z,").unwrap(),
            "pub static RULES: &[&Rule] = &[\n    &net::a::A,\n    &net::b::B,\n    \
             &net::z::Z,\n    &rds::c::C,\n];\n"
        );
        assert_eq!(insert_registration(text, "s3", "&s3::z::Z,"), None);
    }

    #[test]
    fn names_are_kebab_case() {
        assert!(is_kebab("rds-deletion-protection"));
        for bad in ["Rds", "rds_x", "-rds", "rds-", "rds--x", "1rds", ""] {
            assert!(!is_kebab(bad), "{bad}");
        }
    }
}

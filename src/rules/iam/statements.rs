//! Shared by the CB-IAM-* rules: what a policy statement grants, as AWS evaluates it.
//!
//! - `Effect` is `Allow` or `Deny`; `Action` / `NotAction`, `Resource` / `NotResource` are a
//!   single string or a list.
//! - Action names and wildcards (`*` any run, `?` one character) match case-insensitively,
//!   as IAM compares action names; resources are ARNs or `*`.
//! - An Allow with `NotAction` grants every action (of every service) except those it
//!   names; an Allow with `NotResource` applies to every resource except those it names:
//!   both count as "everything" here.
//! - A `Condition` does not make an Allow disappear: the grant holds whenever the condition
//!   does, and messages say "conditional".
//! - A Deny removes a grant only when it is unconditional, covers every resource the grant
//!   applies to (`Resource` `*`, or the same resource list) and every action of the grant
//!   (`*`, the same pattern, `service:*` for a grant within the service, or a pattern
//!   matching a plain action). Only Denies of the same document are considered: a Deny in
//!   another policy of the principal is not (conservative, never a pass by accident).
//!
//! Source: AWS IAM User Guide, "IAM JSON policy elements: NotAction", "…: NotResource",
//! "…: Action" (action names are case-insensitive) and "Policy evaluation logic" (an explicit
//! Deny overrides any Allow).

use crate::model::{Effect, Field, PolicyDocument, Statement, Unknown};

/// Case-insensitive IAM wildcard match (`*` any run, `?` one character).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Whether `action` is within `allowed`. A wildcard action is within it only when the list
/// holds the same wildcard (or `*` / the whole service); a plain action when an entry equals
/// or matches it.
pub fn action_allowed(action: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|a| covers(a, action))
}

/// Whether every action `grant` names is matched by `pattern` (conservative for wildcard
/// grants: the same pattern, `*`, or `service:*` of the grant's service).
pub fn covers(pattern: &str, grant: &str) -> bool {
    if !grant.contains(['*', '?']) {
        return wildcard_match(pattern, grant);
    }
    if pattern == "*" || pattern.eq_ignore_ascii_case(grant) {
        return true;
    }
    match (pattern.split_once(':'), grant.split_once(':')) {
        (Some((ps, "*")), Some((gs, _))) => ps.eq_ignore_ascii_case(gs) && !gs.contains(['*', '?']),
        _ => false,
    }
}

/// Every action (`*`, `*:*`) or every action of a service (`s3:*`).
pub fn full_access(action: &str) -> bool {
    if action.chars().all(|c| c == '*') {
        return true;
    }
    match action.split_once(':') {
        Some((service, rest)) => {
            !service.is_empty() && !rest.is_empty() && rest.chars().all(|c| c == '*')
        }
        None => false,
    }
}

/// Every resource: `*`, or an ARN pattern whose service and everything after is wildcards
/// (`arn:aws:*:*:*:*`, `arn:*`).
pub fn every_resource(resource: &str) -> bool {
    if resource.chars().all(|c| c == '*') {
        return true;
    }
    match resource.strip_prefix("arn:") {
        // `arn:*`
        Some(rest) => match rest.split_once(':') {
            None => !rest.is_empty() && rest.chars().all(|c| c == '*'),
            // `arn:aws:*`, `arn:aws:*:*:*:*`
            Some((partition, after)) => {
                !partition.is_empty()
                    && after.starts_with('*')
                    && after.chars().all(|c| c == '*' || c == ':')
            }
        },
        None => false,
    }
}

/// What one statement's resources are.
enum Scope {
    /// `Resource` with `*`, or `NotResource` (every resource but a few).
    Everything {
        not_resource: bool,
    },
    Named,
    None,
}

fn scope(s: &Statement) -> Result<Scope, Unknown> {
    match (s.resources.value(), s.not_resources.value()) {
        (Ok(Some(r)), _) => Ok(if r.iter().any(|r| every_resource(r)) {
            Scope::Everything {
                not_resource: false,
            }
        } else {
            Scope::Named
        }),
        (Err(u), _) | (Ok(None), Err(u)) => Err(u.clone()),
        (Ok(None), Ok(Some(nr))) => {
            // `NotResource: "*"` applies to nothing.
            Ok(if nr.iter().any(|r| every_resource(r)) {
                Scope::None
            } else {
                Scope::Everything { not_resource: true }
            })
        }
        (Ok(None), Ok(None)) => Ok(Scope::None),
    }
}

/// Whether an unconditional Deny of `doc` removes `grant` (an action pattern, or `None` for a
/// NotAction grant: every action) on the resources of `allow`.
fn denied(doc: &PolicyDocument, allow: &Statement, grant: Option<&str>) -> bool {
    doc.statements.iter().any(|d| {
        if d.effect != Effect::Deny || d.conditional || d.not_actions != Field::Absent {
            return false;
        }
        let resources_covered = match (&d.resources, &d.not_resources) {
            (Field::Known(r), Field::Absent) => {
                r.iter().any(|r| r == "*")
                    || (matches!(&allow.resources, Field::Known(a) if a == r)
                        && allow.not_resources == Field::Absent)
            }
            _ => false,
        };
        let actions_covered = match (&d.actions, grant) {
            (Field::Known(a), Some(g)) => a.iter().any(|p| covers(p, g)),
            (Field::Known(a), None) => a.iter().any(|p| p == "*"),
            _ => false,
        };
        resources_covered && actions_covered
    })
}

fn conditional(s: &Statement) -> &'static str {
    if s.conditional {
        " (conditional)"
    } else {
        ""
    }
}

/// At most `n` items, then "and N more".
pub fn some(items: &[&str], n: usize) -> String {
    if items.len() <= n {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..n].join(", "), items.len() - n)
    }
}

/// The grants of `doc` beyond `allowed` (CB-IAM-001): actions outside the list (a NotAction
/// Allow grants every action it does not name), and grants on every resource (`*`,
/// `NotResource`). Problems first, else the first unknown.
pub fn beyond_list(doc: &PolicyDocument, allowed: &[String]) -> (Vec<String>, Option<Unknown>) {
    let mut problems: Vec<String> = Vec::new();
    let mut unknown = None;
    for s in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
        let cond = conditional(s);
        let scope = match scope(s) {
            Ok(Scope::None) => continue,
            Ok(scope) => Some(scope),
            Err(u) => {
                unknown.get_or_insert(u);
                None
            }
        };
        let mut granted: Vec<String> = Vec::new();
        match (s.actions.value(), s.not_actions.value()) {
            (_, Ok(Some(list))) => {
                if !list.iter().any(|a| a.chars().all(|c| c == '*')) && !denied(doc, s, None) {
                    problems.push(format!(
                        "allows every action except {} (NotAction){cond}",
                        list.join(", ")
                    ));
                }
                continue;
            }
            (_, Err(u)) | (Err(u), _) => {
                unknown.get_or_insert(u.clone());
                continue;
            }
            (Ok(Some(list)), Ok(None)) => {
                let extra: Vec<&str> = list
                    .iter()
                    .filter(|a| !action_allowed(a, allowed) && !denied(doc, s, Some(a)))
                    .map(String::as_str)
                    .collect();
                if !extra.is_empty() {
                    problems.push(format!("allows {}{cond}", some(&extra, 8)));
                }
                granted.extend(list.iter().filter(|a| !denied(doc, s, Some(a))).cloned());
            }
            (Ok(None), Ok(None)) => continue,
        }
        if granted.is_empty() {
            continue;
        }
        let names: Vec<&str> = granted.iter().map(String::as_str).collect();
        match scope {
            Some(Scope::Everything {
                not_resource: false,
            }) => problems.push(format!(
                "grants {} on Resource \"*\" (every resource){cond}",
                some(&names, 8)
            )),
            Some(Scope::Everything { not_resource: true }) => problems.push(format!(
                "grants {} on every resource except {} (NotResource){cond}",
                some(&names, 8),
                s.not_resources
                    .get()
                    .map(|r| r.join(", "))
                    .unwrap_or_default()
            )),
            _ => {}
        }
    }
    problems.dedup();
    (problems, unknown)
}

/// The full-access grant of one statement of `doc` (CB-IAM-002), if it makes one: an Allow
/// of `*` or `service:*` (or `NotAction`: every action it does not name) on every resource
/// (`*`, or `NotResource`), unless an unconditional Deny of the document removes exactly it.
pub fn admin_grant(doc: &PolicyDocument, s: &Statement) -> Result<Option<String>, Unknown> {
    if s.effect != Effect::Allow {
        return Ok(None);
    }
    let cond = conditional(s);
    // Resources first: specific resources decide "no" even with unknown actions.
    let everywhere = match scope(s) {
        Ok(Scope::Everything { not_resource }) => Ok(not_resource),
        Ok(Scope::Named | Scope::None) => return Ok(None),
        Err(u) => Err(u),
    };
    let grant = match (s.actions.value(), s.not_actions.value()) {
        (_, Ok(Some(list))) => {
            if list.iter().any(|a| a.chars().all(|c| c == '*')) || denied(doc, s, None) {
                return Ok(None);
            }
            format!("every action except {} (NotAction)", list.join(", "))
        }
        (_, Err(u)) | (Err(u), _) => return Err(u.clone()),
        (Ok(Some(list)), Ok(None)) => {
            let full: Vec<&str> = list
                .iter()
                .filter(|a| full_access(a) && !denied(doc, s, Some(a)))
                .map(String::as_str)
                .collect();
            if full.is_empty() {
                return Ok(None);
            }
            full.iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        }
        (Ok(None), Ok(None)) => return Ok(None),
    };
    match everywhere? {
        false => Ok(Some(format!("allows {grant} on Resource \"*\"{cond}"))),
        true => Ok(Some(format!(
            "allows {grant} on every resource except {} (NotResource){cond}",
            s.not_resources
                .get()
                .map(|r| r.join(", "))
                .unwrap_or_default()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> PolicyDocument {
        PolicyDocument::parse(json).unwrap()
    }

    fn admin(json: &str) -> Vec<String> {
        let d = doc(json);
        d.statements
            .iter()
            .filter_map(|s| admin_grant(&d, s).unwrap())
            .collect()
    }

    #[test]
    fn wildcards_match_case_insensitively() {
        assert!(wildcard_match("s3:Get*", "S3:GetObject"));
        assert!(wildcard_match("*", "iam:PassRole"));
        assert!(wildcard_match("logs:Put?ogEvents", "logs:PutLogEvents"));
        assert!(!wildcard_match("s3:Get*", "s3:PutObject"));
    }

    #[test]
    fn wildcard_actions_need_the_same_wildcard() {
        let allowed = vec!["s3:GetObject".to_string(), "logs:*".to_string()];
        assert!(action_allowed("S3:GETOBJECT", &allowed));
        assert!(!action_allowed("s3:Get*", &allowed));
        assert!(action_allowed("logs:*", &allowed));
        assert!(action_allowed("LOGS:Put*", &allowed));
        assert!(action_allowed("logs:PutLogEvents", &allowed));
        assert!(!action_allowed("*", &allowed));
    }

    #[test]
    fn full_access_and_every_resource() {
        for a in ["*", "*:*", "s3:*", "IAM:**"] {
            assert!(full_access(a), "{a}");
        }
        for a in ["s3:Get*", "s3", "s3:", ":*", "*Object"] {
            assert!(!full_access(a), "{a}");
        }
        for r in ["*", "arn:*", "arn:aws:*:*:*:*", "arn:aws:*"] {
            assert!(every_resource(r), "{r}");
        }
        for r in [
            "arn:aws:s3:::*",
            "arn:aws:s3:::b/*",
            "arn:aws:iam::1:role/*",
            "arn:x",
        ] {
            assert!(!every_resource(r), "{r}");
        }
    }

    #[test]
    fn not_action_on_star_is_admin_like() {
        // PowerUserAccess.
        let g = admin(
            r#"{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}]}"#,
        );
        assert_eq!(g.len(), 1);
        assert!(g[0].contains("every action except iam:*"), "{g:?}");
        // NotAction "*" grants nothing; NotAction on a named resource is not full access.
        assert!(
            admin(r#"{"Statement":{"Effect":"Allow","NotAction":"*","Resource":"*"}}"#).is_empty()
        );
        assert!(admin(
            r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::b"}}"#
        )
        .is_empty());
    }

    #[test]
    fn not_resource_counts_as_every_resource() {
        let g = admin(r#"{"Statement":{"Effect":"Allow","Action":"ec2:*","NotResource":"arn:x"}}"#);
        assert!(g[0].contains("NotResource"), "{g:?}");
        assert!(
            admin(r#"{"Statement":{"Effect":"Allow","Action":"ec2:*","NotResource":"*"}}"#)
                .is_empty()
        );
        let (p, _) = beyond_list(
            &doc(
                r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:x"}}"#,
            ),
            &["s3:GetObject".to_string()],
        );
        assert!(p[0].contains("every resource except arn:x"), "{p:?}");
    }

    #[test]
    fn case_and_single_strings() {
        assert_eq!(
            admin(r#"{"Statement":{"Effect":"Allow","Action":"S3:*","Resource":"*"}}"#).len(),
            1
        );
        let (p, u) = beyond_list(
            &doc(
                r#"{"Statement":{"Effect":"Allow","Action":"S3:GETOBJECT","Resource":"arn:aws:s3:::m/*"}}"#,
            ),
            &["s3:GetObject".to_string()],
        );
        assert!(p.is_empty() && u.is_none(), "{p:?}");
    }

    #[test]
    fn deny_removes_only_what_it_exactly_covers() {
        let both = |deny: &str| {
            admin(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*"}},{deny}]}}"#
            ))
        };
        assert!(both(r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#).is_empty());
        assert!(both(r#"{"Effect":"Deny","Action":"*","Resource":"*"}"#).is_empty());
        // Partial, conditional or resource-limited denies remove nothing.
        assert_eq!(
            both(r#"{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}"#).len(),
            1
        );
        assert_eq!(
            both(r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#).len(),
            1
        );
        assert_eq!(
            both(r#"{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b"}"#).len(),
            1
        );
        // For the task-role list: a Deny of the extra action on the same resources.
        let (p, _) = beyond_list(
            &doc(
                r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::m/*"},
                {"Effect":"Deny","Action":"s3:Delete*","Resource":"arn:aws:s3:::m/*"}]}"#,
            ),
            &["s3:GetObject".to_string()],
        );
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn conditions_do_not_remove_grants() {
        let g = admin(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}"#,
        );
        assert!(g[0].contains("conditional"), "{g:?}");
    }

    #[test]
    fn not_action_fails_the_list() {
        let (p, _) = beyond_list(
            &doc(r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:x"}}"#),
            &["s3:GetObject".to_string()],
        );
        assert!(
            p[0].contains("every action except iam:* (NotAction)"),
            "{p:?}"
        );
    }

    #[test]
    fn merging_replaces_by_sid_and_appends_the_rest() {
        let mut d = doc(
            r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:x"},
            {"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:y"}]}"#,
        );
        d.merge(&doc(
            r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},
            {"Sid":"B","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
        ));
        assert_eq!(d.statements.len(), 3);
        assert_eq!(d.statements[0].actions, Field::Known(vec!["*".to_string()]));
        assert_eq!(d.statements[2].sid.as_deref(), Some("B"));
    }
}

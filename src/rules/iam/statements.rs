//! Shared by the CB-IAM-* rules: what a policy statement grants.

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
/// holds the same wildcard; a plain action when an entry equals or matches it.
pub fn action_allowed(action: &str, allowed: &[String]) -> bool {
    if action.contains(['*', '?']) {
        allowed.iter().any(|a| a.eq_ignore_ascii_case(action))
    } else {
        allowed.iter().any(|a| wildcard_match(a, action))
    }
}

/// What a document allows beyond the list: the problems, else the first unknown.
pub fn beyond_list(doc: &PolicyDocument, allowed: &[String]) -> (Vec<String>, Option<Unknown>) {
    let mut problems: Vec<String> = Vec::new();
    let mut unknown = None;
    for s in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
        match &s.not_actions {
            Field::Known(list) | Field::Sensitive(list) => problems.push(format!(
                "allows every action except {} (NotAction)",
                list.join(", ")
            )),
            Field::Unknown(u) => {
                unknown.get_or_insert(u.clone());
            }
            Field::Absent => {}
        }
        match &s.actions {
            Field::Known(list) | Field::Sensitive(list) => {
                let extra: Vec<&str> = list
                    .iter()
                    .filter(|a| !action_allowed(a, allowed))
                    .map(String::as_str)
                    .collect();
                if !extra.is_empty() {
                    problems.push(format!("allows {}", extra.join(", ")));
                }
            }
            Field::Unknown(u) => {
                unknown.get_or_insert(u.clone());
            }
            Field::Absent => {}
        }
        match (&s.resources, &s.not_resources) {
            (Field::Known(list) | Field::Sensitive(list), _) => {
                if list.iter().any(|r| r == "*") {
                    let actions = s.actions.get().map(|a| a.join(", ")).unwrap_or_default();
                    problems.push(format!(
                        "grants {actions} on Resource \"*\" (every resource)"
                    ));
                }
            }
            (Field::Unknown(u), _) => {
                unknown.get_or_insert(u.clone());
            }
            (Field::Absent, Field::Known(list) | Field::Sensitive(list)) => problems.push(format!(
                "grants access to every resource except {} (NotResource)",
                list.join(", ")
            )),
            (Field::Absent, Field::Unknown(u)) => {
                unknown.get_or_insert(u.clone());
            }
            (Field::Absent, Field::Absent) => {}
        }
    }
    problems.dedup();
    (problems, unknown)
}

/// `*` or `<service>:*`.
pub fn full_access(action: &str) -> bool {
    action == "*"
        || action
            .strip_suffix(":*")
            .is_some_and(|service| !service.is_empty() && !service.contains(':'))
}

/// The full-access grant of one statement, if it makes one.
pub fn admin_grant(s: &Statement) -> Result<Option<String>, Unknown> {
    if s.effect != Effect::Allow {
        return Ok(None);
    }
    let action = match &s.actions {
        Field::Known(list) | Field::Sensitive(list) => match list.iter().find(|a| full_access(a)) {
            Some(a) => a.clone(),
            None => return Ok(None),
        },
        Field::Unknown(u) => {
            return match &s.resources {
                Field::Known(r) | Field::Sensitive(r) if !r.iter().any(|r| r == "*") => Ok(None),
                _ => Err(u.clone()),
            };
        }
        Field::Absent => return Ok(None),
    };
    match (&s.resources, &s.not_resources) {
        (Field::Known(r) | Field::Sensitive(r), _) => Ok(r
            .iter()
            .any(|r| r == "*")
            .then(|| format!("allows \"{action}\" on Resource \"*\""))),
        (Field::Unknown(u), _) | (Field::Absent, Field::Unknown(u)) => Err(u.clone()),
        (Field::Absent, Field::Known(_) | Field::Sensitive(_)) => Ok(Some(format!(
            "allows \"{action}\" on every resource but a few (NotResource)"
        ))),
        (Field::Absent, Field::Absent) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(action_allowed("logs:PutLogEvents", &allowed));
    }
}

//! Agreement for generated messages: rules name what they cannot decide with a noun
//! phrase ("the container definitions", "the task role's policies", "whether the
//! detector is enabled", `desired_count`), and the message's verb follows its head noun.
//! One place decides, so no call site has to remember it.

/// Words ending in `s` that are singular (so `status is`, `alias is`).
const SINGULAR_S: &[&str] = &[
    "access", "address", "alias", "analysis", "class", "dns", "egress", "gps", "https", "ingress",
    "is", "its", "process", "status", "this", "yes", "aws", "bus", "cors", "kms", "sns", "sqs",
    "ecs", "rds", "ses", "iops", "tls", "ssl", "canvas", "bonus", "campus", "virus", "corpus",
];

/// Plurals that do not end in `s`.
const PLURAL_IRREGULAR: &[&str] = &["data", "criteria", "people", "children", "indices"];

/// Words that start a clause ("whether the detector is enabled", "which policies X
/// attaches"): a clause is singular whatever its nouns.
const CLAUSE: &[&str] = &[
    "whether", "which", "what", "how", "who", "where", "if", "when",
];

/// Words that end the head of a noun phrase: what follows qualifies it ("the tier of the
/// service's subnets" is about one tier).
const AFTER_HEAD: &[&str] = &[
    "of", "for", "in", "on", "with", "that", "from", "to", "at", "by", "behind", "per", "via",
    "inside", "it",
];

/// Whether a word is a name (an address, an ARN, a quoted or hyphenated identifier, a
/// number) rather than an English noun: names follow the head in apposition
/// ("referenced resource aws_s3_bucket.models") and never decide the number.
fn is_name(word: &str) -> bool {
    word.chars().any(|c| ".:/[]{}\"`$*=<>#@-".contains(c))
        || word.chars().all(|c| c.is_ascii_digit())
}

/// The head noun of `phrase`: the last word before a preposition, a relative clause or a
/// parenthesis, after any possessive (`the task role's policies` → `policies`), names
/// skipped. Attribute names count word by word (`retention_in_days` → `retention`,
/// `security_groups` → `groups`).
fn head(phrase: &str) -> Option<String> {
    let before_paren = phrase.split(" (").next().unwrap_or(phrase);
    let mut last: Option<String> = None;
    'words: for token in before_paren.split_whitespace() {
        let token = token.trim_end_matches(',');
        let bare = token.trim_end_matches("'s").trim_end_matches('\'');
        if bare.is_empty() || is_name(bare) {
            continue;
        }
        // `retention_in_days`: the words of an attribute name.
        for word in bare.split('_').filter(|w| !w.is_empty()) {
            let lower = word.to_ascii_lowercase();
            if last.is_some() && AFTER_HEAD.contains(&lower.as_str()) {
                break 'words;
            }
            last = Some(word.to_string());
        }
    }
    last
}

/// Whether `phrase` names several things (its verb is `are`).
pub fn is_plural(phrase: &str) -> bool {
    let first = phrase
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if CLAUSE.contains(&first.as_str()) {
        return false;
    }
    let Some(head) = head(phrase) else {
        return false;
    };
    let lower = head.to_ascii_lowercase();
    if PLURAL_IRREGULAR.contains(&lower.as_str()) {
        return true;
    }
    if lower.len() < 3 || !lower.ends_with('s') {
        return false;
    }
    if SINGULAR_S.contains(&lower.as_str()) || lower.ends_with("ss") || lower.ends_with("us") {
        return false;
    }
    // An acronym with a plural `s` (`ARNs`, `AZs`) is plural; an all-caps word ending in S
    // (`DNS`, `KMS`, `TLS`) is a name.
    if head.len() > 1
        && head
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    true
}

/// `is` or `are` for `phrase`.
pub fn be(phrase: &str) -> &'static str {
    if is_plural(phrase) {
        "are"
    } else {
        "is"
    }
}

/// The plural of a singular noun phrase whose last word is its head ("scaling policy" →
/// "scaling policies", "Config recorder status" → "Config recorder statuses").
pub fn plural(noun: &str) -> String {
    let lower = noun.to_ascii_lowercase();
    let ends_consonant_y = lower.ends_with('y')
        && !lower
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| "aeiou".contains(c));
    if ends_consonant_y {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if lower.ends_with('s')
        || lower.ends_with('x')
        || lower.ends_with("sh")
        || lower.ends_with("ch")
    {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_rules_use_agree() {
        for p in [
            "the container definitions",
            "the task role's policies",
            "the DB subnet group's subnets",
            "the DB parameter group's parameters",
            "the group's parameters",
            "the alarm's actions",
            "the names of the alarm's topics",
            "the service's subnets",
            "the policies arn:aws:iam::1:role/x attaches",
            "tags",
            "security_groups",
            "subnet_ids",
            "the load balancer's security groups",
            "the ingress rules",
            "the VPC's ARNs",
            "the tags of alarms",
            "the DB subnet group's subnets my-group",
            "the subnets it refers to",
        ] {
            assert!(is_plural(p), "{p} is plural");
            assert_eq!(be(p), "are");
        }
        for p in [
            "the container health check interval",
            "the tier of the service's subnets",
            "the availability zone of the subnet's NAT gateway",
            "whether the detector is enabled",
            "whether clever-better-ml exists",
            "which policies role/x attaches",
            "retention_in_days",
            "desired_count",
            "the ML service's desired_count",
            "the KMS key",
            "the VPC CIDR",
            "scan_on_push",
            "its policy_arn",
            "the group's family (for the rds.force_ssl default)",
            "the task cpu",
            "the DB subnet group",
            "the HTTPS",
            "the status",
            "the subnet it refers to",
            "the region of its provider configuration",
            "the bucket's access",
            "the trail's KMS",
            "multi_az",
            "publicly_accessible",
            "the comparison operator",
            "the evaluation window",
            "a documented parameter's value",
            "the metric of alarm clever-better-db-connections",
            "referenced resource aws_s3_bucket.models",
            "DB subnet group my-subnets",
            "a valid CIDR (got `10.0.0.0/33`)",
            "the subnet of aws_nat_gateway.a",
            "the name of aws_appautoscaling_target.targets",
        ] {
            assert!(!is_plural(p), "{p} is singular");
            assert_eq!(be(p), "is");
        }
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("scaling policy"), "scaling policies");
        assert_eq!(plural("IAM policy"), "IAM policies");
        assert_eq!(plural("Config recorder status"), "Config recorder statuses");
        assert_eq!(plural("subnet"), "subnets");
        assert_eq!(
            plural("bucket public access block"),
            "bucket public access blocks"
        );
        assert_eq!(
            plural("ECR registry scanning configuration"),
            "ECR registry scanning configurations"
        );
        assert_eq!(plural("web ACL"), "web ACLs");
        assert_eq!(plural("gateway"), "gateways");
    }
}

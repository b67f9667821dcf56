//! The policy: the numbers and names the rules compare against (`rules/*.toml`).
//!
//! `rules/clever-better.toml` is embedded as the default. Errors (unknown key, wrong type,
//! bad CIDR or glob, unknown rule) are diagnostics with a span into the TOML.

mod selector;
mod tls;
mod waivers;

use std::collections::BTreeMap;
use std::ops::Range;

use ipnetwork::IpNetwork;
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

pub use selector::{GlobList, Selector};
pub use tls::TlsVersion;
pub use waivers::{parse_file as parse_waivers_file, FileWaiver, WaiverControls, WaiverEntry};

use crate::verdict::{RuleScope, Severity};

/// The embedded default policy pack.
pub const DEFAULT_POLICY: &str = include_str!("../../rules/clever-better.toml");
pub const DEFAULT_POLICY_PATH: &str = "rules/clever-better.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub policy: PolicyInfo,
    pub network: Network,
    pub security_groups: SecurityGroups,
    pub edge: Edge,
    pub services: Services,
    pub ecr: Ecr,
    pub database: Database,
    pub iam: Iam,
    pub secrets: Secrets,
    pub storage: Storage,
    pub audit: Audit,
    pub logs: Logs,
    pub alarm_actions: BTreeMap<String, GlobList>,
    #[serde(default)]
    pub alarms: Vec<AlarmSpec>,
    /// What belongs to the architecture in a real account (live and aggregator scans);
    /// without it, everything an account holds is judged.
    #[serde(default)]
    pub scope: Option<Spanned<ScopeSpec>>,
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, RuleSettings>,
    /// `[[waivers]]`: findings the policy's owners accept (see `crate::waiver`).
    #[serde(default, rename = "waivers")]
    waiver_entries: Vec<Spanned<WaiverEntry>>,
    /// The waivers, checked (filled by [`Policy::parse_for`]).
    #[serde(skip)]
    pub waivers: Vec<FileWaiver>,
    /// `[waiver_controls]`: which waivers the team allows.
    #[serde(default)]
    pub waiver_controls: WaiverControls,
}

/// `[scope]`: a resource belongs to the architecture when it carries any of `tags` (key and
/// value, the value compared case-insensitively) or any of its names (the `Name` tag, its
/// name or id) matches any of `names`. See `docs/policy.md` for children and unknown tags.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSpec {
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub names: GlobList,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInfo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub document: String,
}

/// An IP network parsed at load time (a bad CIDR is a policy error with a span).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr(pub IpNetwork);

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let net: IpNetwork = s
            .parse()
            .map_err(|e| serde::de::Error::custom(format!("invalid CIDR `{s}`: {e}")))?;
        if net.network() != net.ip() {
            return Err(serde::de::Error::custom(format!(
                "invalid CIDR `{s}`: host bits are set (did you mean {}/{}?)",
                net.network(),
                net.prefix()
            )));
        }
        Ok(Cidr(net))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    pub vpc_cidr: Cidr,
    pub availability_zones: usize,
    pub flow_log_traffic_type: String,
    pub subnets: Vec<SubnetSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubnetTier {
    Public,
    App,
    Data,
}

impl std::fmt::Display for SubnetTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SubnetTier::Public => "public",
            SubnetTier::App => "app",
            SubnetTier::Data => "data",
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetSpec {
    pub name: String,
    pub cidr: Cidr,
    pub tier: SubnetTier,
    pub az: String,
}

impl Network {
    /// The documented subnet with exactly this CIDR.
    pub fn subnet_by_cidr(&self, cidr: &IpNetwork) -> Option<&SubnetSpec> {
        self.subnets.iter().find(|s| &s.cidr.0 == cidr)
    }

    pub fn subnets_of(&self, tier: SubnetTier) -> impl Iterator<Item = &SubnetSpec> {
        self.subnets.iter().filter(move |s| s.tier == tier)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroups {
    pub tier_tag: String,
    pub tiers: BTreeMap<String, Selector>,
    pub flows: Vec<FlowSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowDirection {
    Ingress,
    Egress,
}

/// One entry of the flow matrix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSpec {
    pub tier: String,
    pub direction: FlowDirection,
    /// A tier name or `internet`.
    pub peer: String,
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    /// `443`, `1024-65535` or `all`.
    pub ports: String,
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    pub https_port: i64,
    /// The oldest TLS protocol an HTTPS listener's security policy may accept (CB-TLS-002).
    pub min_tls_version: MinTlsVersion,
    /// The name-glob list this key replaced: rejected with a pointer to `min_tls_version`.
    #[serde(default, rename = "ssl_policies")]
    legacy_ssl_policies: Option<Spanned<toml::Value>>,
}

/// `edge.min_tls_version`: `"TLSv1.3"` (the architecture) or `"TLSv1.2"` (a team's
/// relaxation). Older protocols are not accepted: the architecture requires TLS 1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinTlsVersion(pub TlsVersion);

impl<'de> Deserialize<'de> for MinTlsVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "TLSv1.3" => Ok(MinTlsVersion(TlsVersion::Tls13)),
            "TLSv1.2" => Ok(MinTlsVersion(TlsVersion::Tls12)),
            _ => Err(serde::de::Error::custom(format!(
                "invalid min_tls_version `{s}`: use \"TLSv1.3\" (the architecture) or \"TLSv1.2\""
            ))),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Services {
    pub health_check_path: String,
    pub health_check_interval: i64,
    pub secret_env_names: GlobList,
    pub bot: BotService,
    pub ml: MlService,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotService {
    pub names: GlobList,
    pub desired_count: i64,
    pub max_capacity: i64,
    pub cpu: i64,
    pub memory: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlService {
    pub names: GlobList,
    pub min_count: i64,
    pub cpu: i64,
    pub memory: i64,
    pub autoscaling: Autoscaling,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    pub min_capacity: i64,
    pub max_capacity: i64,
    pub cpu_target: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ecr {
    pub max_images: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KmsKeyRequirement {
    Any,
    CustomerManaged,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub instance_class: String,
    pub min_backup_retention_days: i64,
    pub backup_window: String,
    pub maintenance_window: String,
    pub allocated_storage: i64,
    pub max_allocated_storage: i64,
    pub kms_key: KmsKeyRequirement,
    pub force_ssl: bool,
    pub min_tls_version: String,
    pub parameters: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    pub task_role_actions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    pub required: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum EncryptionLevel {
    #[serde(rename = "SSE-S3")]
    SseS3,
    #[serde(rename = "SSE-KMS")]
    SseKms,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub minimum_encryption: EncryptionLevel,
    pub model_bucket: Selector,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    pub config_rules: Vec<String>,
    pub min_config_rules: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logs {
    pub required: Vec<String>,
    pub retention_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Comparison {
    #[serde(rename = ">")]
    Greater,
    #[serde(rename = ">=")]
    GreaterOrEqual,
    #[serde(rename = "<")]
    Less,
    #[serde(rename = "<=")]
    LessOrEqual,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Glob over the metric name.
    pub metric: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// Dimension names the alarm's metric must have (`ClusterName`, `ServiceName`): an ECS
    /// service alarm, not one on an EC2 instance or the whole cluster.
    #[serde(default)]
    pub dimensions: Vec<String>,
    pub comparison: Comparison,
    pub threshold: f64,
    /// Required period in seconds, if the document fixes one.
    #[serde(default)]
    pub period: Option<i64>,
    /// Required period × evaluation periods, in seconds.
    #[serde(default)]
    pub duration: Option<i64>,
    /// Action classes (keys of `[alarm_actions]`).
    #[serde(default)]
    pub actions: Vec<String>,
}

/// Per-rule settings: `[rules.CB-RDS-008]` or `[rules.rds-instance-class]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSettings {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Overrides the rule's own scope in live and aggregator scans.
    #[serde(default)]
    pub scope: Option<RuleScope>,
}

/// A policy that could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid policy {path}: {message}")]
#[diagnostic(code(cbaudit::policy::invalid), help("{help}"))]
pub struct PolicyError {
    pub path: String,
    pub message: String,
    pub help: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{message}")]
    pub span: Option<SourceSpan>,
}

impl Policy {
    /// The embedded default policy.
    pub fn default_policy() -> Policy {
        Policy::parse(DEFAULT_POLICY_PATH, DEFAULT_POLICY)
            .expect("the embedded policy is valid (tested)")
    }

    /// Parses and validates a policy pack, but not its `[rules.<key>]` keys against the
    /// rule registry (the policy knows no rule): [`Policy::parse_for`] does.
    pub fn parse(path: &str, text: &str) -> Result<Policy, Box<PolicyError>> {
        Policy::parse_for(path, text, &|_| true)
    }

    /// Parses and validates a policy pack; every `[rules.<key>]` must be a rule ID or name
    /// `is_rule` knows (the CLI passes the registry, `rules::find`).
    pub fn parse_for(
        path: &str,
        text: &str,
        is_rule: &dyn Fn(&str) -> bool,
    ) -> Result<Policy, Box<PolicyError>> {
        let error = |message: String, span: Option<Range<usize>>, help: &str| {
            Box::new(PolicyError {
                path: path.to_string(),
                message,
                help: help.to_string(),
                src: NamedSource::new(path, text.to_string()),
                span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
            })
        };
        let mut policy: Policy = toml::from_str(text).map_err(|e| {
            error(
                e.message().trim().to_string(),
                e.span(),
                "see rules/clever-better.toml for every key and its type",
            )
        })?;
        if let Some(legacy) = &policy.edge.legacy_ssl_policies {
            return Err(error(
                "edge.ssl_policies is no longer supported: CB-TLS-002 judges each ELB security policy by its documented protocols, not by its name".to_string(),
                Some(legacy.span()),
                "replace it by min_tls_version = \"TLSv1.3\" (or \"TLSv1.2\" to accept TLS 1.2)",
            ));
        }
        for key in policy.rules.keys() {
            if !is_rule(key.get_ref()) {
                return Err(error(
                    format!("unknown rule `{}`", key.get_ref()),
                    Some(key.span()),
                    "`cbaudit rules` lists every rule ID and name",
                ));
            }
        }
        policy.waivers = waivers::check_entries(path, text, &policy.waiver_entries, is_rule)
            .map_err(|(m, s, h)| error(m, s, h))?;
        waivers::check_controls(&policy.waiver_controls, is_rule)
            .map_err(|(m, s, h)| error(m, s, h))?;
        if let Some(scope) = &policy.scope {
            let spec = scope.get_ref();
            if spec.tags.is_empty() && spec.names.is_empty() {
                return Err(error(
                    "[scope] names no tag and no name pattern, so nothing would belong to the architecture".to_string(),
                    Some(scope.span()),
                    "add `tags = { Project = \"…\" }` and/or `names = [\"prefix*\"]`, or remove [scope] to judge every resource",
                ));
            }
            if let Some((key, _)) = spec.tags.iter().find(|(k, _)| k.trim().is_empty()) {
                return Err(error(
                    format!("[scope] tag key `{key}` is empty"),
                    Some(scope.span()),
                    "tag keys are names such as `Project`",
                ));
            }
        }
        for spec in &policy.security_groups.flows {
            if !policy.security_groups.tiers.contains_key(&spec.tier) {
                return Err(error(
                    format!(
                        "flow matrix names tier `{}`, which is not defined",
                        spec.tier
                    ),
                    find_span(text, &spec.tier),
                    "define it under [security_groups.tiers]",
                ));
            }
            if spec.peer != "internet" && !policy.security_groups.tiers.contains_key(&spec.peer) {
                return Err(error(
                    format!("flow peer `{}` is neither `internet` nor a tier", spec.peer),
                    find_span(text, &spec.peer),
                    "use `internet` or a tier name from [security_groups.tiers]",
                ));
            }
            if crate::model::Protocol::parse(&spec.protocol).is_none() {
                return Err(error(
                    format!("unknown protocol `{}`", spec.protocol),
                    find_span(text, &spec.protocol),
                    "use tcp, udp, icmp or all",
                ));
            }
            if parse_ports(&spec.ports).is_none() {
                return Err(error(
                    format!("invalid ports `{}`", spec.ports),
                    find_span(text, &spec.ports),
                    "use a port (443), a range (1024-65535) or `all`",
                ));
            }
        }
        for alarm in &policy.alarms {
            for class in &alarm.actions {
                if !policy.alarm_actions.contains_key(class) {
                    return Err(error(
                        format!(
                            "alarm `{}` names action class `{class}`, which is not defined",
                            alarm.name
                        ),
                        find_span(text, class),
                        "define it under [alarm_actions]",
                    ));
                }
            }
        }
        Ok(policy)
    }

    /// What the rule `id` (`name`) judges in a live or aggregator scan: the policy's
    /// override, else the rule's own scope `own`.
    pub fn rule_scope(&self, id: &str, name: &str, own: RuleScope) -> RuleScope {
        self.rule_settings(id, name)
            .and_then(|s| s.scope)
            .unwrap_or(own)
    }

    /// The architecture's scope, if the policy has one.
    pub fn scope(&self) -> Option<&ScopeSpec> {
        self.scope.as_ref().map(Spanned::get_ref)
    }

    /// The settings for a rule, by ID or name.
    pub fn rule_settings(&self, id: &str, name: &str) -> Option<&RuleSettings> {
        self.rules
            .iter()
            .find(|(k, _)| k.get_ref() == id || k.get_ref() == name)
            .map(|(_, v)| v)
    }
}

/// Ports of a flow-matrix entry: `443`, `1024-65535`, `all`.
pub fn parse_ports(s: &str) -> Option<crate::model::PortRange> {
    use crate::model::PortRange;
    let s = s.trim();
    if s.eq_ignore_ascii_case("all") {
        return Some(PortRange::ALL);
    }
    match s.split_once('-') {
        Some((a, b)) => {
            let (from, to) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (from <= to).then_some(PortRange { from, to })
        }
        None => s.parse().ok().map(PortRange::single),
    }
}

/// The span of the first quoted occurrence of `value` (for errors found after parsing).
fn find_span(text: &str, value: &str) -> Option<Range<usize>> {
    let quoted = format!("\"{value}\"");
    text.find(&quoted).map(|i| i..i + quoted.len())
}

/// The embedded policy with `edge.min_tls_version` set to `value` (a TOML value), for tests.
#[cfg(test)]
pub(crate) fn default_with_edge_min_tls(value: &str) -> String {
    let edge = DEFAULT_POLICY.find("[edge]").expect("[edge]");
    let key = "min_tls_version = \"TLSv1.3\"";
    let at = edge
        + DEFAULT_POLICY[edge..]
            .find(key)
            .expect("edge.min_tls_version");
    format!(
        "{}min_tls_version = {value}{}",
        &DEFAULT_POLICY[..at],
        &DEFAULT_POLICY[at + key.len()..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

    #[test]
    fn embedded_policy_loads() {
        let p = Policy::default_policy();
        assert_eq!(p.policy.name, "clever-better");
        assert_eq!(p.network.subnets.len(), 6);
        assert_eq!(p.security_groups.flows.len(), 5);
        assert_eq!(p.alarms.len(), 5);
    }

    fn err(text: &str) -> Box<PolicyError> {
        Policy::parse("p.toml", text).expect_err("policy must be rejected")
    }

    #[test]
    fn unknown_key_points_at_it() {
        let text = DEFAULT_POLICY.replace("[network]\n", "[network]\nbogus = 1\n");
        let e = err(&text);
        assert!(e.message.contains("bogus"), "{}", e.message);
        let span = e.span.expect("span");
        assert_eq!(&text[span.offset()..span.offset() + span.len()], "bogus");
    }

    #[test]
    fn bad_cidr_is_rejected_with_span() {
        let text =
            DEFAULT_POLICY.replace("vpc_cidr = \"10.0.0.0/16\"", "vpc_cidr = \"10.0.0.0/33\"");
        let e = err(&text);
        assert!(e.message.contains("invalid CIDR"), "{}", e.message);
        let span = e.span.expect("span");
        assert!(text[span.offset()..].starts_with("\"10.0.0.0/33\""));
    }

    #[test]
    fn wrong_type_is_rejected() {
        let text = DEFAULT_POLICY.replace(
            "min_backup_retention_days = 30",
            "min_backup_retention_days = \"thirty\"",
        );
        assert!(err(&text).span.is_some());
    }

    #[test]
    fn min_tls_version_accepts_tls12_and_tls13_only() {
        assert_eq!(
            Policy::default_policy().edge.min_tls_version,
            MinTlsVersion(TlsVersion::Tls13)
        );
        let p = Policy::parse("p.toml", &default_with_edge_min_tls("\"TLSv1.2\"")).expect("valid");
        assert_eq!(p.edge.min_tls_version, MinTlsVersion(TlsVersion::Tls12));
        // The database key of the same name is untouched.
        assert_eq!(p.database.min_tls_version, "TLSv1.3");
        for bad in ["\"TLSv1.1\"", "\"TLS 1.3\"", "\"tlsv1.3\"", "13"] {
            let text = default_with_edge_min_tls(bad);
            let e = err(&text);
            let span = e.span.expect("span");
            let edge = text.find("[edge]").expect("[edge]");
            assert!(span.offset() > edge, "{bad}: span before [edge]");
            assert!(
                text[span.offset()..].starts_with(bad),
                "{bad}: span at {:?}",
                &text[span.offset()..span.offset() + span.len()]
            );
        }
        let e = err(&default_with_edge_min_tls("\"TLSv1.0\""));
        assert!(
            e.message.contains("invalid min_tls_version `TLSv1.0`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn the_replaced_ssl_policies_glob_points_at_min_tls_version() {
        let old = "ssl_policies = [\"ELBSecurityPolicy-TLS13-*\"]";
        let text = default_with_edge_min_tls(&format!("\"TLSv1.3\"\n{old}"));
        let e = err(&text);
        assert!(
            e.message
                .contains("edge.ssl_policies is no longer supported"),
            "{}",
            e.message
        );
        assert!(e.help.contains("min_tls_version"), "{}", e.help);
        let span = e.span.expect("span");
        assert!(text[span.offset()..].starts_with("[\"ELBSecurityPolicy-TLS13-*\"]"));
    }

    #[test]
    fn unknown_rule_is_rejected() {
        let text = DEFAULT_POLICY.replace("[rules]\n", "[rules.CB-XYZ-999]\nenabled = false\n");
        // The policy knows no rule: the registry is passed in, as the CLI does.
        let is_rule = |k: &str| rules::find(k).is_some();
        let e = Policy::parse_for("p.toml", &text, &is_rule).expect_err("policy must be rejected");
        assert!(e.message.contains("CB-XYZ-999"), "{}", e.message);
        let span = e.span.expect("span");
        assert_eq!(
            &text[span.offset()..span.offset() + span.len()],
            "CB-XYZ-999"
        );
        assert!(Policy::parse_for(DEFAULT_POLICY_PATH, DEFAULT_POLICY, &is_rule).is_ok());
    }

    #[test]
    fn scope_is_read_and_checked() {
        let p = Policy::default_policy();
        let scope = p.scope().expect("the embedded policy scopes live scans");
        assert_eq!(
            scope.tags.get("Project").map(String::as_str),
            Some("clever-better")
        );
        assert!(scope.names.matches("/ecs/clever-better-bot"));
        let empty = DEFAULT_POLICY.replace("tags = { Project = \"clever-better\" }\n", "");
        let empty = empty.replace("names = [\"*clever-better*\"]\n", "");
        let e = err(&empty);
        assert!(e.message.contains("[scope]"), "{}", e.message);
        let span = e.span.expect("span");
        let (start, end) = (
            empty.find("[scope]").expect("header"),
            empty.find("[network]").expect("next table"),
        );
        assert!(
            (start..end).contains(&span.offset()),
            "points into [scope]: {span:?}"
        );
        let bogus = DEFAULT_POLICY.replace("[scope]\n", "[scope]\nmatch = \"all\"\n");
        let e = err(&bogus);
        assert!(e.message.contains("match"), "{}", e.message);
        let span = e.span.expect("span");
        assert_eq!(&bogus[span.offset()..span.offset() + span.len()], "match");
    }

    #[test]
    fn rule_scope_override_is_read_and_checked() {
        let text = DEFAULT_POLICY.replace("[rules]\n", "[rules.CB-IAM-002]\nscope = \"account\"\n");
        let p = Policy::parse("p.toml", &text).expect("valid");
        let iam002 = rules::find("CB-IAM-002").expect("rule");
        assert_eq!(iam002.scope, RuleScope::Architecture);
        assert_eq!(
            p.rule_scope(iam002.id, iam002.name, iam002.scope),
            RuleScope::Account
        );
        let bad =
            DEFAULT_POLICY.replace("[rules]\n", "[rules.CB-IAM-002]\nscope = \"everything\"\n");
        let e = err(&bad);
        assert!(
            e.message.contains("everything") || e.message.contains("variant"),
            "{}",
            e.message
        );
        assert!(e.span.is_some());
    }

    #[test]
    fn rules_by_id_or_name_are_accepted() {
        let text = DEFAULT_POLICY.replace(
            "[rules]\n",
            "[rules.CB-RDS-008]\nenabled = false\n[rules.rds-multi-az]\nseverity = \"low\"\n",
        );
        let p = Policy::parse("p.toml", &text).expect("valid");
        assert_eq!(
            p.rule_settings("CB-RDS-008", "rds-instance-class")
                .and_then(|s| s.enabled),
            Some(false)
        );
        assert_eq!(
            p.rule_settings("CB-RDS-002", "rds-multi-az")
                .and_then(|s| s.severity),
            Some(Severity::Low)
        );
    }
}

use crate::declare_rule;
use crate::model::{
    ConfigRecorder, ConfigRecorderStatus, ConfigRule, Field, Kind, ResId, Resolution, Unknown, View,
};
use crate::rules::aud::regions::{judge_regions, region_of, workloads, Candidate, Service};
use crate::rules::{requires, Check};

declare_rule! {
    /// ## What it checks
    /// An AWS Config recorder (`aws_config_configuration_recorder`) records all supported
    /// resources (`recording_group.all_supported`, default true) and is recording: the
    /// recorder status of a live account, else an `aws_config_configuration_recorder_status`
    /// naming it with `is_enabled = true` in the recorder's own region (a status declared
    /// with another region's provider starts nothing there; a status whose region is not
    /// known while the recorder's is, is unknown). Each region the architecture runs in
    /// needs such a recorder: AWS Config is regional ("You can have only one customer
    /// managed configuration recorder for each AWS account for each AWS Region", AWS Config
    /// Developer Guide, "Starting AWS Config with a customer managed configuration
    /// recorder"), so a recorder in us-east-1 records nothing in eu-west-2. A region without
    /// one fails with no resource (subject `AWS Config recorder in eu-west-2`). Regions are
    /// read as for CB-AUD-002 (workload VPCs, ECS clusters, load balancers, DB instances; a
    /// resource's provider region). At least `audit.min_config_rules` (1)
    /// `aws_config_config_rule`s exist, and every rule the policy lists (`audit.config_rules`,
    /// empty by default) exists, matched case-insensitively by rule name or source
    /// identifier. A missing recorder or rule is a finding with no resource.
    ///
    /// ## Why
    /// The architecture document's "Compliance Controls": "Config Rules: Compliance
    /// monitoring". Config rules evaluate only what the recorder records: a stopped recorder,
    /// or one limited to a few resource types, leaves the rules silently compliant.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_config_configuration_recorder" "main" {
    ///   role_arn = aws_iam_role.config.arn
    ///   recording_group {
    ///     all_supported  = false
    ///     resource_types = ["AWS::S3::Bucket"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_config_configuration_recorder" "main" {
    ///   role_arn = aws_iam_role.config.arn
    ///   recording_group { all_supported = true }
    /// }
    /// resource "aws_config_configuration_recorder_status" "main" {
    ///   name       = aws_config_configuration_recorder.main.name
    ///   is_enabled = true
    /// }
    /// resource "aws_config_config_rule" "cloudtrail" {
    ///   name = "cloudtrail-enabled"
    ///   source {
    ///     owner             = "AWS"
    ///     source_identifier = "CLOUD_TRAIL_ENABLED"
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV2_AWS_45` (Config recording enabled) and `CKV2_AWS_48` (records all
    /// resources); Security Hub control Config.1. No Trivy or AWS Config managed rule (Config
    /// cannot check its own recorder).
    pub static CONFIG_RECORDING = Rule {
        id: "CB-AUD-003",
        name: "config-recording",
        area: Audit,
        severity: Medium,
        scope: Account,
        check: check,
    };
}

type Verdict = Result<(), Result<String, (String, Unknown)>>;

/// A recorder status and the recorders it starts (or why that is unknown).
type Started<'a> = (View<'a, ConfigRecorderStatus>, Result<Vec<ResId>, Unknown>);

fn recording(r: &View<'_, ConfigRecorder>, statuses: &[Started<'_>]) -> Verdict {
    match r.recording.value() {
        Ok(Some(true)) => return Ok(()),
        Ok(Some(false)) => return Err(Ok("it is not recording".into())),
        Err(u) => return Err(Err(("whether the recorder is recording".into(), u.clone()))),
        Ok(None) => {}
    }
    let mut mine = Vec::new();
    let mut maybe = None;
    let mut elsewhere = Vec::new();
    for (s, starts) in statuses {
        let s = *s;
        match starts {
            Ok(ids) if ids.contains(&r.id) => {
                // A status starts the recorder of its own region: one declared with another
                // region's provider names a recorder of that region (recorders in two regions
                // may share a name). Two unknown regions are not told apart.
                match (region_of(r.resource), region_of(s.resource)) {
                    (Ok(a), Ok(b)) if a != b => elsewhere.push((s, b)),
                    (Ok(_), Ok(_)) | (Err(_), Err(_)) => mine.push(s),
                    (Ok(_), Err(u)) | (Err(u), Ok(_)) => {
                        maybe.get_or_insert((
                            format!("whether {} is in the recorder's region", s.address()),
                            u,
                        ));
                    }
                }
            }
            Err(u) => {
                maybe.get_or_insert((format!("which recorder {} enables", s.address()), u.clone()));
            }
            Ok(_) => {}
        }
    }
    if mine.iter().any(|s| s.enabled.is(&true)) {
        return Ok(());
    }
    if let Some(u) = mine.iter().find_map(|s| s.enabled.unknown()) {
        return Err(Err((
            "whether the recorder status is enabled".into(),
            u.clone(),
        )));
    }
    if let Some(s) = mine.first() {
        return Err(Ok(format!(
            "{} sets is_enabled = {}",
            s.address(),
            s.enabled.shown()
        )));
    }
    match maybe {
        Some(m) => Err(Err(m)),
        None if !elsewhere.is_empty() => Err(Ok(format!(
            "no recorder status of its region ({}) starts it ({})",
            region_of(r.resource).unwrap_or_default(),
            elsewhere
                .iter()
                .map(|(s, region)| format!("{} is in {region}", s.address()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => Err(Ok(
            "no aws_config_configuration_recorder_status enables it".into()
        )),
    }
}

fn check_recorders(c: &mut Check<'_>) {
    let recorders: Vec<_> = c.inv.all::<ConfigRecorder>().collect();
    // Which recorders each status starts, resolved once for all recorders.
    let statuses: Vec<Started<'_>> = c
        .inv
        .all::<ConfigRecorderStatus>()
        .map(|s| {
            let starts = match c.inv.resolve::<ConfigRecorder>(&s.recorder) {
                Resolution::Known { found, .. } => Ok(found.iter().map(|f| f.id).collect()),
                Resolution::Unknown(u) => Err(u),
                Resolution::Absent => Ok(Vec::new()),
            };
            (s, starts)
        })
        .collect();
    let mut outcomes = Vec::new();
    for r in &recorders {
        outcomes.push(judge_recorder(r, &statuses));
    }
    let candidates: Vec<Candidate> = recorders
        .iter()
        .zip(&outcomes)
        .map(|(r, o)| Candidate {
            id: r.id,
            region: region_of(r.resource).map(str::to_string),
            on: match o {
                Outcome::Pass => Some(true),
                Outcome::Fail(..) => Some(false),
                Outcome::Unknown(..) => None,
            },
        })
        .collect();
    let region_unknown = judge_regions(c, &candidates, &SERVICE);
    for (r, o) in recorders.iter().zip(outcomes) {
        match o {
            Outcome::Fail(attr, message) => c.fail(
                r.id,
                attr,
                message,
                "set recording_group { all_supported = true } and an \
                 aws_config_configuration_recorder_status with is_enabled = true",
            ),
            Outcome::Unknown(attr, what, why) => c.unknown(r.id, attr, &what, &why),
            Outcome::Pass if region_unknown.contains(&r.id) => {
                let u = region_of(r.resource).err().unwrap_or(Unknown::AfterApply);
                c.unknown(
                    r.id,
                    None,
                    "the region of the recorder (whether it covers a region the architecture runs in)",
                    &u,
                );
            }
            Outcome::Pass => c.pass(r.id),
        }
    }
    if recorders.is_empty() && workloads(c.inv).regions.is_empty() {
        c.missing(
            Kind::ConfigRecorder,
            "aws_config_configuration_recorder",
            "AWS Config recorder",
            requires(
                "no AWS Config recorder exists",
                "Config compliance monitoring",
            ),
            SERVICE.help,
        );
    }
}

const SERVICE: Service = Service {
    service: "AWS Config",
    what: "AWS Config recorder",
    tag: Kind::ConfigRecorder,
    resource_type: "aws_config_configuration_recorder",
    requirement: "Config recording all supported resources",
    help: "declare an aws_config_configuration_recorder with recording_group { all_supported = true } and an aws_config_configuration_recorder_status with is_enabled = true",
};

enum Outcome {
    Pass,
    Fail(Option<&'static str>, String),
    Unknown(Option<&'static str>, String, Unknown),
}

fn judge_recorder(r: &View<'_, ConfigRecorder>, statuses: &[Started<'_>]) -> Outcome {
    let all = match r.all_supported.value() {
        Ok(Some(false)) => Err(Ok(
            "it records only selected resource types (all_supported = false)".to_string(),
        )),
        Err(u) => Err(Err((
            "recording_group.all_supported".to_string(),
            u.clone(),
        ))),
        _ => Ok(()),
    };
    let verdicts = [all, recording(r, statuses)];
    let problems: Vec<&str> = verdicts
        .iter()
        .filter_map(|v| v.as_ref().err()?.as_ref().ok())
        .map(String::as_str)
        .collect();
    let attr = if verdicts[0].is_err() {
        Some("recording_group")
    } else {
        None
    };
    if !problems.is_empty() {
        Outcome::Fail(
            attr,
            requires(
                format!(
                    "Config recorder {}: {}",
                    r.address(),
                    problems.join(", and ")
                ),
                "it to record all supported resources",
            ),
        )
    } else if let Some((what, why)) = verdicts
        .iter()
        .find_map(|v| v.as_ref().err()?.as_ref().err())
    {
        Outcome::Unknown(attr, what.clone(), why.clone())
    } else {
        Outcome::Pass
    }
}

fn check(c: &mut Check<'_>) {
    check_recorders(c);
    let rules: Vec<_> = c.inv.all::<ConfigRule>().collect();
    let min = c.policy.audit.min_config_rules;
    if rules.len() >= min {
        rules.iter().for_each(|r| c.pass(r.id));
    } else {
        c.missing(
            Kind::ConfigRule,
            "aws_config_config_rule",
            "AWS Config rule",
            format!("{} AWS Config rules exist; the policy requires at least {min}", rules.len()),
            "declare aws_config_config_rule resources (for example the CLOUD_TRAIL_ENABLED managed rule)",
        );
    }
    let eq = |f: &Field<String>, want: &str| f.get().is_some_and(|v| v.eq_ignore_ascii_case(want));
    for want in &c.policy.audit.config_rules {
        if rules
            .iter()
            .any(|r| eq(&r.name, want) || eq(&r.source_identifier, want))
        {
            continue;
        }
        let undecided =
            rules
                .iter()
                .find_map(|r| match (r.name.value(), r.source_identifier.value()) {
                    (Err(u), Err(_) | Ok(None)) | (Ok(None), Err(u)) => Some((r.id, u)),
                    _ => None,
                });
        match undecided {
            Some((id, u)) => c.unknown(id, Some("name"), &format!("whether this is the Config rule {want}"), u),
            None => c.missing(
                Kind::ConfigRule,
                "aws_config_config_rule",
                want.clone(),
                format!("AWS Config rule {want} does not exist; the policy requires it"),
                format!("declare an aws_config_config_rule named {want} (or with source_identifier {want})"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, Inventory, RefTarget};
    use crate::policy::Policy;
    use crate::rules::testing::{res, run, run_with};

    fn recorder(inv: &mut Inventory, all: Field<bool>, recording: Field<bool>) {
        let r = ConfigRecorder {
            name: Field::Known("default".into()),
            all_supported: all,
            recording,
        };
        inv.push(res("aws_config_configuration_recorder.main", r).with_identifiers(["default"]));
    }

    fn status(inv: &mut Inventory, target: RefTarget, enabled: Field<bool>) {
        let s = ConfigRecorderStatus {
            recorder: Field::Known(vec![target]),
            enabled,
        };
        inv.push(res("aws_config_configuration_recorder_status.main", s));
    }

    fn rule(inv: &mut Inventory, name: &str, source: &str) {
        let r = ConfigRule {
            name: Field::Known(name.into()),
            source_identifier: Field::Known(source.into()),
        };
        inv.push(res(format!("aws_config_config_rule.{name}"), r));
    }

    fn compliant() -> Inventory {
        let mut inv = Inventory::new();
        recorder(&mut inv, Field::Absent, Field::Absent);
        status(&mut inv, ident("default"), Field::Known(true));
        rule(&mut inv, "trail", "CLOUD_TRAIL_ENABLED");
        inv
    }

    #[test]
    fn recording_recorder_with_a_rule_passes() {
        let out = run(&CONFIG_RECORDING, &compliant());
        assert_eq!(out.passes().len(), 2);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
    }

    #[test]
    fn partial_recording_and_disabled_status_fail() {
        let mut inv = Inventory::new();
        recorder(&mut inv, Field::Known(false), Field::Absent);
        status(
            &mut inv,
            RefTarget::Address("aws_config_configuration_recorder.main".into()),
            Field::Known(false),
        );
        let out = run(&CONFIG_RECORDING, &inv);
        assert_eq!(
            out.fails(),
            vec![
                "aws_config_configuration_recorder.main",
                "missing:AWS Config rule"
            ]
        );
        let msg = out.messages()[0];
        assert!(
            msg.contains("all_supported = false") && msg.contains("is_enabled = false"),
            "{msg}"
        );
        assert!(
            out.messages()[1].contains("0 AWS Config rules")
                && out.messages()[1].contains("at least 1")
        );
    }

    #[test]
    fn no_status_fails_and_live_recording_passes() {
        let mut inv = Inventory::new();
        recorder(&mut inv, Field::Known(true), Field::Absent);
        let out = run(&CONFIG_RECORDING, &inv);
        assert!(out.messages()[0].contains("no aws_config_configuration_recorder_status"));
        let mut inv = Inventory::new();
        recorder(&mut inv, Field::Known(true), Field::Known(true));
        assert_eq!(
            run(&CONFIG_RECORDING, &inv).passes(),
            vec!["aws_config_configuration_recorder.main"]
        );
    }

    #[test]
    fn unknowns_are_unknown() {
        let mut inv = Inventory::new();
        recorder(&mut inv, Field::Absent, Field::Absent);
        status(
            &mut inv,
            ident("default"),
            Field::Unknown(Unknown::AfterApply),
        );
        assert_eq!(
            run(&CONFIG_RECORDING, &inv).unknowns(),
            vec!["aws_config_configuration_recorder.main"]
        );
        let mut inv = Inventory::new();
        recorder(
            &mut inv,
            Field::Unknown(Unknown::AfterApply),
            Field::Known(true),
        );
        assert_eq!(
            run(&CONFIG_RECORDING, &inv).unknowns(),
            vec!["aws_config_configuration_recorder.main"]
        );
    }

    #[test]
    fn policy_listed_rules_match_name_or_identifier() {
        let mut p = Policy::default_policy();
        p.audit.config_rules = vec![
            "cloud_trail_enabled".into(),
            "guardduty-enabled-centralized".into(),
        ];
        let out = run_with(&CONFIG_RECORDING, &compliant(), &p);
        assert_eq!(out.fails(), vec!["missing:guardduty-enabled-centralized"]);
        let out = run(&CONFIG_RECORDING, &Inventory::new());
        assert_eq!(
            out.fails(),
            vec!["missing:AWS Config recorder", "missing:AWS Config rule"]
        );
    }

    #[test]
    fn a_status_starts_only_the_recorder_of_its_region() {
        let mut inv = Inventory::new();
        recorder(&mut inv, Field::Absent, Field::Absent);
        status(&mut inv, ident("default"), Field::Known(true));
        rule(&mut inv, "trail", "CLOUD_TRAIL_ENABLED");
        inv.resources_mut()[0].provenance.region = Some("us-east-1".into());
        inv.resources_mut()[1].provenance.region = Some("eu-west-2".into());
        let out = run(&CONFIG_RECORDING, &inv);
        assert_eq!(out.fails(), vec!["aws_config_configuration_recorder.main"]);
        assert!(
            out.messages()[0].contains("no recorder status of its region (us-east-1) starts it")
                && out.messages()[0].contains("is in eu-west-2"),
            "{}",
            out.messages()[0]
        );
        // The status's region unknown while the recorder's is known: unknown.
        inv.resources_mut()[1].provenance.region = None;
        let out = run(&CONFIG_RECORDING, &inv);
        assert_eq!(
            out.unknowns(),
            vec!["aws_config_configuration_recorder.main"]
        );
        // Same region: it records; a workload in another region lacks a recorder.
        inv.resources_mut()[1].provenance.region = Some("us-east-1".into());
        let mut vpc = res(
            "aws_vpc.main",
            crate::model::Vpc {
                cidr: Field::Absent,
                default: false,
            },
        );
        vpc.provenance.region = Some("eu-west-2".into());
        inv.push(vpc);
        let out = run(&CONFIG_RECORDING, &inv);
        assert_eq!(
            out.fails(),
            vec!["missing:AWS Config recorder in eu-west-2"]
        );
        assert!(out
            .passes()
            .contains(&"aws_config_configuration_recorder.main".to_string()));
    }
}

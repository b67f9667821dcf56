use crate::declare_rule;
use crate::model::{GuardDutyDetector, Kind, Unknown};
use crate::rules::aud::regions::{judge_regions, region_of, workloads, Candidate, Service};
use crate::rules::{requires, set, Check};

declare_rule! {
    /// ## What it checks
    /// Every `aws_guardduty_detector` is enabled (`enable`, default true in the provider),
    /// and each region the architecture runs in has an enabled detector of its own: a
    /// disabled detector fails; a region without one fails with no resource (subject
    /// `GuardDuty detector in eu-west-2`). GuardDuty is regional: "you must create a
    /// detector in each Region where you enable the service. You can have only one detector
    /// per account per Region" (GuardDuty API Reference, `CreateDetector`), so a detector in
    /// us-east-1 does not cover a workload in eu-west-2.
    ///
    /// The regions the architecture runs in are those of its VPCs (not AWS's default VPC),
    /// ECS clusters, load balancers and DB instances. A resource's region is that of its
    /// provider configuration for Terraform (an aliased provider `provider = aws.use1`, or
    /// the one a module receives with `providers = { aws = aws.use1 }`; its `region` a
    /// constant, a root variable, or, in a directory scan and beside a plan's `.tf` files,
    /// any expression the configuration evaluates) and the region read for a live account.
    /// A workload whose region is not known is unknown ("the region of aws_vpc.main …"); a
    /// region without a detector of known region is unknown on a detector whose region is
    /// not known. With no workload in the inputs, one detector anywhere suffices and none
    /// at all is a finding with no resource.
    ///
    /// ## Why
    /// The architecture document's "Compliance Controls": "GuardDuty: Threat detection
    /// enabled", and its diagram places GuardDuty among the "Security Services" next to WAF
    /// and CloudTrail. A suspended detector analyses nothing: compromised task credentials or
    /// crypto-mining in the account would go unnoticed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_guardduty_detector" "main" {
    ///   enable = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_guardduty_detector" "main" {
    ///   enable = true
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV2_AWS_3` (GuardDuty enabled for the organisation/region); AWS Config
    /// `guardduty-enabled-centralized`. No Trivy equivalent.
    pub static GUARDDUTY_ENABLED = Rule {
        id: "CB-AUD-002",
        name: "guardduty-enabled",
        area: Audit,
        severity: High,
        scope: Account,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let detectors: Vec<_> = c.inv.all::<GuardDutyDetector>().collect();
    let candidates: Vec<Candidate> = detectors
        .iter()
        .map(|d| Candidate {
            id: d.id,
            region: region_of(d.resource).map(str::to_string),
            on: d.enabled.value_or(&true).ok().copied(),
        })
        .collect();
    let region_unknown = judge_regions(c, &candidates, &SERVICE);
    for d in &detectors {
        match d.enabled.value() {
            Ok(Some(false)) => c.require(
                d.id,
                Some("enable"),
                format!("GuardDuty detector {} is disabled", d.address()),
                SERVICE.requirement,
                set("enable", true),
            ),
            Err(u) => c.unknown(d.id, Some("enable"), "whether the detector is enabled", u),
            _ if region_unknown.contains(&d.id) => {
                let u = region_of(d.resource).err().unwrap_or(Unknown::AfterApply);
                c.unknown(
                    d.id,
                    None,
                    "the region of the detector (whether it covers a region the architecture runs in)",
                    &u,
                )
            }
            _ => c.pass(d.id),
        }
    }
    if detectors.is_empty() && workloads(c.inv).regions.is_empty() {
        c.missing(
            Kind::GuardDutyDetector,
            "aws_guardduty_detector",
            "GuardDuty detector",
            requires("no GuardDuty detector exists", SERVICE.requirement),
            SERVICE.help,
        );
    }
}

const SERVICE: Service = Service {
    service: "GuardDuty",
    what: "GuardDuty detector",
    tag: Kind::GuardDutyDetector,
    resource_type: "aws_guardduty_detector",
    requirement: "threat detection enabled",
    help: "declare an aws_guardduty_detector with enable = true",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::model::{Gap, Inventory, Resource};
    use crate::rules::testing::{res, run};

    fn detector(enabled: Field<bool>) -> Inventory {
        let mut inv = Inventory::new();
        let d = GuardDutyDetector { enabled };
        inv.push(res("aws_guardduty_detector.main", d));
        inv
    }

    #[test]
    fn enabled_or_default_passes() {
        for f in [Field::Known(true), Field::Absent] {
            assert_eq!(
                run(&GUARDDUTY_ENABLED, &detector(f)).passes(),
                vec!["aws_guardduty_detector.main"]
            );
        }
    }

    #[test]
    fn disabled_fails() {
        let out = run(&GUARDDUTY_ENABLED, &detector(Field::Known(false)));
        assert_eq!(out.fails(), vec!["aws_guardduty_detector.main"]);
        assert!(out.messages()[0].contains("disabled") && out.messages()[0].contains("requires"));
    }

    #[test]
    fn unknown_is_unknown() {
        let out = run(
            &GUARDDUTY_ENABLED,
            &detector(Field::Unknown(Unknown::AfterApply)),
        );
        assert_eq!(out.unknowns(), vec!["aws_guardduty_detector.main"]);
    }

    #[test]
    fn none_fails_or_is_unknown_when_denied() {
        assert_eq!(
            run(&GUARDDUTY_ENABLED, &Inventory::new()).fails(),
            vec!["missing:GuardDuty detector"]
        );
        let mut inv = Inventory::new();
        inv.add_gap(Gap {
            kinds: vec![Kind::GuardDutyDetector],
            reason: Unknown::Denied("guardduty:ListDetectors".into()),
        });
        assert_eq!(
            run(&GUARDDUTY_ENABLED, &inv).unknowns(),
            vec!["missing:GuardDuty detector"]
        );
    }

    fn regional(inv: &mut Inventory, address: &str, region: Option<&str>) {
        let mut r = Resource::new(
            "aws_guardduty_detector",
            address,
            GuardDutyDetector {
                enabled: Field::Known(true),
            },
        );
        r.provenance.region = region.map(str::to_string);
        inv.push(r);
    }

    fn vpc(inv: &mut Inventory, address: &str, region: Option<&str>) {
        let mut r = Resource::new(
            "aws_vpc",
            address,
            crate::model::Vpc {
                cidr: Field::Known("10.0.0.0/16".parse().unwrap()),
                default: false,
            },
        );
        r.provenance.region = region.map(str::to_string);
        inv.push(r);
    }

    #[test]
    fn a_detector_in_another_region_does_not_cover_the_workload() {
        let mut inv = Inventory::new();
        regional(&mut inv, "aws_guardduty_detector.use1", Some("us-east-1"));
        vpc(&mut inv, "aws_vpc.main", Some("eu-west-2"));
        vpc(&mut inv, "aws_vpc.virginia", Some("us-east-1"));
        let out = run(&GUARDDUTY_ENABLED, &inv);
        assert_eq!(out.fails(), vec!["missing:GuardDuty detector in eu-west-2"]);
        assert_eq!(out.passes(), vec!["aws_guardduty_detector.use1"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("(aws_vpc.main)") && msg.contains("in another region (us-east-1)"),
            "{msg}"
        );
        regional(&mut inv, "aws_guardduty_detector.london", Some("eu-west-2"));
        let out = run(&GUARDDUTY_ENABLED, &inv);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
        // AWS's default VPC is no workload.
        let mut inv = Inventory::new();
        regional(&mut inv, "aws_guardduty_detector.use1", Some("us-east-1"));
        let mut r = res(
            "aws_default_vpc.x",
            crate::model::Vpc {
                cidr: Field::Absent,
                default: true,
            },
        );
        r.provenance.region = Some("eu-west-2".into());
        inv.push(r);
        assert!(run(&GUARDDUTY_ENABLED, &inv).fails().is_empty());
    }

    #[test]
    fn unknown_regions_are_unknown() {
        // The workload's region is unknown.
        let mut inv = Inventory::new();
        regional(&mut inv, "aws_guardduty_detector.use1", Some("us-east-1"));
        vpc(&mut inv, "aws_vpc.main", None);
        let out = run(&GUARDDUTY_ENABLED, &inv);
        assert_eq!(out.unknowns(), vec!["aws_vpc.main"]);
        assert!(out.messages()[0].contains("the region of aws_vpc.main"));
        assert!(out.messages()[0].contains("not in the scanned inputs"));
        // The detector's region is unknown: it may or may not be eu-west-2's.
        let mut inv = Inventory::new();
        regional(&mut inv, "aws_guardduty_detector.somewhere", None);
        vpc(&mut inv, "aws_vpc.main", Some("eu-west-2"));
        let out = run(&GUARDDUTY_ENABLED, &inv);
        assert_eq!(out.unknowns(), vec!["aws_guardduty_detector.somewhere"]);
        assert!(out.fails().is_empty());
        // No detector anywhere: missing in the workload's region.
        let mut inv = Inventory::new();
        vpc(&mut inv, "aws_vpc.main", Some("eu-west-2"));
        assert_eq!(
            run(&GUARDDUTY_ENABLED, &inv).fails(),
            vec!["missing:GuardDuty detector in eu-west-2"]
        );
    }
}

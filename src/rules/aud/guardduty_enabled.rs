use crate::declare_rule;
use crate::model::{Field, GuardDutyDetector, KindTag, Unknown};
use crate::rules::aud::regions::{judge_regions, region_of, workloads, Candidate, Service};
use crate::rules::{Check, NO_AGGREGATOR};

declare_rule! {
    /// ## What it checks
    /// A GuardDuty detector exists and every `aws_guardduty_detector` is enabled (`enable`,
    /// default true in the provider). A disabled detector fails; no detector at all is a
    /// finding with no resource.
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
        sources: NO_AGGREGATOR,
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
            on: match &d.enabled {
                Field::Known(b) | Field::Sensitive(b) => Some(*b),
                Field::Absent => Some(true),
                Field::Unknown(_) => None,
            },
        })
        .collect();
    let region_unknown = judge_regions(c, &candidates, &SERVICE);
    for d in &detectors {
        match &d.enabled {
            Field::Known(false) | Field::Sensitive(false) => c.fail(
                d.id,
                Some("enable"),
                format!(
                    "GuardDuty detector {} is disabled; the architecture requires threat \
                     detection enabled",
                    d.address()
                ),
                "set enable = true",
            ),
            Field::Unknown(u) => {
                c.unknown(d.id, Some("enable"), "whether the detector is enabled", u)
            }
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
            KindTag::GuardDutyDetector,
            "aws_guardduty_detector",
            "GuardDuty detector",
            "no GuardDuty detector exists; the architecture requires threat detection enabled",
            "declare an aws_guardduty_detector with enable = true",
        );
    }
}

const SERVICE: Service = Service {
    service: "GuardDuty",
    what: "GuardDuty detector",
    tag: KindTag::GuardDutyDetector,
    resource_type: "aws_guardduty_detector",
    requirement: "threat detection enabled",
    help: "declare an aws_guardduty_detector with enable = true",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Gap, Inventory, Resource};
    use crate::rules::testing::run;

    fn detector(enabled: Field<bool>) -> Inventory {
        let mut inv = Inventory::new();
        let d = GuardDutyDetector { enabled };
        inv.push(Resource::new(
            "aws_guardduty_detector",
            "aws_guardduty_detector.main",
            d,
        ));
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
            kinds: vec![KindTag::GuardDutyDetector],
            reason: Unknown::Denied("guardduty:ListDetectors".into()),
        });
        assert_eq!(
            run(&GUARDDUTY_ENABLED, &inv).unknowns(),
            vec!["missing:GuardDuty detector"]
        );
    }
}

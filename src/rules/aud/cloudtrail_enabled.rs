use crate::declare_rule;
use crate::model::{Kind, Trail, Unknown};
use crate::rules::{requires, Check};

declare_rule! {
    /// ## What it checks
    /// At least one CloudTrail trail exists, and every `aws_cloudtrail` is multi-region
    /// (`is_multi_region_trail`), validates its log files (`enable_log_file_validation`) and
    /// is logging (`enable_logging`, or the trail status for a live account). Not set means
    /// the provider default: `enable_logging` true, the other two false. Each trail failing
    /// one fails; no trail at all is a finding with no resource.
    ///
    /// API audit logging means management events (the calls that create, change and delete
    /// resources). A trail without event selectors records every management event ("By
    /// default, trails created without specific event selectors will be configured to log
    /// all read and write management events", CloudTrail API Reference, `EventSelector`).
    /// A trail whose `event_selector` blocks all set `include_management_events = false`
    /// (default true), or whose `advanced_event_selector`s select no `eventCategory` equal
    /// to `Management` (CloudTrail API Reference, `AdvancedEventSelector`: `eventCategory`
    /// is required, `Management` or `Data`), records data events only: when no trail of the
    /// inputs records management events, each such trail fails; beside one that does, a
    /// data-events trail is judged by the other aspects only. `read_write_type` is not
    /// judged. A multi-region trail covers every region, so trails are not judged per region.
    /// Live accounts read each trail's selectors with `cloudtrail:GetEventSelectors`; an AWS
    /// Config aggregator's item does not hold them (unknown unless the item says the trail
    /// has no selectors of its own).
    ///
    /// ## Why
    /// The architecture document's "Compliance Controls": "CloudTrail: API audit logging
    /// enabled". A single-region trail misses API calls made in other regions (an attacker's
    /// favourite place to start instances), and without log file validation a deleted or
    /// edited log cannot be detected.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name           = "clever-better"
    ///   s3_bucket_name = aws_s3_bucket.audit_logs.id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudtrail" "main" {
    ///   name                       = "clever-better"
    ///   s3_bucket_name             = aws_s3_bucket.audit_logs.id
    ///   is_multi_region_trail      = true
    ///   enable_log_file_validation = true
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_67` (all regions) and `CKV_AWS_36` (log file validation); Trivy
    /// `AVD-AWS-0014` (all regions) and `AVD-AWS-0016` (log validation); AWS Config
    /// `multi-region-cloudtrail-enabled`, `cloud-trail-log-file-validation-enabled` and
    /// `cloudtrail-enabled`.
    pub static CLOUDTRAIL_ENABLED = Rule {
        id: "CB-AUD-001",
        name: "cloudtrail-enabled",
        area: Audit,
        severity: High,
        scope: Account,
        check: check,
    };
}

/// Whether some trail records management events: `Ok(true)` yes, `Ok(false)` no trail
/// does, `Err` when it depends on a trail whose selectors are unknown.
fn management_recorded(c: &Check<'_>) -> Result<bool, Unknown> {
    let mut doubt = None;
    for t in c.inv.all::<Trail>() {
        match t.management_events.value_or(&true) {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(u) => {
                doubt.get_or_insert(u.clone());
            }
        }
    }
    doubt.map_or(Ok(false), Err)
}

fn check(c: &mut Check<'_>) {
    let mut any = false;
    // A data-events-only trail beside one that records management events is a second
    // trail, not a gap: it is judged by the other aspects only.
    let management = management_recorded(c);
    for trail in c.inv.all::<Trail>() {
        any = true;
        let aspects = [
            (
                "is_multi_region_trail",
                "multi-region",
                &trail.multi_region,
                false,
            ),
            (
                "enable_log_file_validation",
                "log file validation",
                &trail.log_file_validation,
                false,
            ),
            ("enable_logging", "logging", &trail.logging, true),
        ];
        let mut off: Vec<(&str, String)> = Vec::new();
        let mut unknown: Option<(&str, &Unknown)> = None;
        for (attr, label, field, default) in aspects {
            match field.value() {
                Ok(Some(true)) => {}
                Ok(Some(false)) => off.push((attr, format!("{label} is off"))),
                Ok(None) if default => {}
                Ok(None) => off.push((
                    attr,
                    format!("{label} is off ({attr} not set, default false)"),
                )),
                Err(u) => {
                    unknown.get_or_insert((attr, u));
                }
            }
        }
        match (trail.management_events.value(), &management) {
            (Ok(Some(false)), Ok(false)) => {
                off.push((
                    "event_selector",
                    "it records no management events (data events only), so it does not \
                     log the account's API calls"
                        .to_string(),
                ));
            }
            (Err(u), Err(_)) => {
                unknown.get_or_insert(("event_selector", u));
            }
            _ => {}
        }
        if let Some((attr, _)) = off.first() {
            let facts: Vec<&str> = off.iter().map(|(_, f)| f.as_str()).collect();
            let sets: Vec<String> = off
                .iter()
                .map(|(a, _)| match *a {
                    "event_selector" => "include_management_events = true in an event_selector \
                        (or an advanced_event_selector with eventCategory = Management)"
                        .to_string(),
                    a => format!("{a} = true"),
                })
                .collect();
            c.require(
                trail.id,
                Some(attr),
                format!("trail {}: {}", trail.address(), facts.join(", ")),
                "API audit logging: a multi-region trail of management events with log file \
                 validation that is logging",
                format!("set {}", sets.join(", ")),
            );
        } else if let Some((attr, why)) = unknown {
            let what = match attr {
                "event_selector" => "whether the trail records management events".to_string(),
                a => format!("{a} of the trail"),
            };
            c.unknown(trail.id, Some(attr), &what, why);
        } else {
            c.pass(trail.id);
        }
    }
    if !any {
        c.missing(
            Kind::Trail,
            "aws_cloudtrail",
            "CloudTrail trail",
            requires(
                "no CloudTrail trail exists",
                "API audit logging by a multi-region trail with log file validation",
            ),
            "declare an aws_cloudtrail with is_multi_region_trail = true and \
             enable_log_file_validation = true",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory};
    use crate::rules::testing::{res, run};

    fn trail(multi: Field<bool>, validation: Field<bool>, logging: Field<bool>) -> Inventory {
        let mut inv = Inventory::new();
        let t = Trail {
            name: Field::Known("main".into()),
            multi_region: multi,
            log_file_validation: validation,
            logging,
            management_events: Field::Absent,
        };
        inv.push(res("aws_cloudtrail.main", t));
        inv
    }

    #[test]
    fn multi_region_validated_trail_passes_with_default_logging() {
        let inv = trail(Field::Known(true), Field::Known(true), Field::Absent);
        assert_eq!(
            run(&CLOUDTRAIL_ENABLED, &inv).passes(),
            vec!["aws_cloudtrail.main"]
        );
    }

    #[test]
    fn absent_flags_default_to_false_and_fail() {
        let inv = trail(Field::Absent, Field::Known(true), Field::Known(false));
        let out = run(&CLOUDTRAIL_ENABLED, &inv);
        assert_eq!(out.fails(), vec!["aws_cloudtrail.main"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("multi-region is off (is_multi_region_trail not set"),
            "{msg}"
        );
        assert!(
            msg.contains("logging is off") && msg.contains("requires API audit logging"),
            "{msg}"
        );
        assert_eq!(
            out.outcomes[0].attribute.as_deref(),
            Some("is_multi_region_trail")
        );
    }

    #[test]
    fn unknown_flag_is_unknown() {
        let inv = trail(
            Field::Known(true),
            Field::Unknown(Unknown::AfterApply),
            Field::Absent,
        );
        assert_eq!(
            run(&CLOUDTRAIL_ENABLED, &inv).unknowns(),
            vec!["aws_cloudtrail.main"]
        );
    }

    #[test]
    fn no_trail_fails_without_resource() {
        let out = run(&CLOUDTRAIL_ENABLED, &Inventory::new());
        assert_eq!(out.fails(), vec!["missing:CloudTrail trail"]);
    }

    #[test]
    fn a_trail_of_data_events_only_does_no_api_audit_logging() {
        let mut inv = trail(Field::Known(true), Field::Known(true), Field::Absent);
        let data_only = |inv: &mut Inventory| {
            if let crate::model::Body::Trail(t) = &mut inv.resources_mut()[0].body {
                t.management_events = Field::Known(false);
            }
        };
        data_only(&mut inv);
        let out = run(&CLOUDTRAIL_ENABLED, &inv);
        assert_eq!(out.fails(), vec!["aws_cloudtrail.main"]);
        assert!(out.messages()[0].contains("records no management events"));
        assert_eq!(out.outcomes[0].attribute.as_deref(), Some("event_selector"));
        // Beside a trail of management events, a data trail is a second trail.
        let mut both = trail(Field::Known(true), Field::Known(true), Field::Absent);
        data_only(&mut both);
        let other = Trail {
            name: Field::Known("mgmt".into()),
            multi_region: Field::Known(true),
            log_file_validation: Field::Known(true),
            logging: Field::Absent,
            management_events: Field::Known(true),
        };
        both.push(res("aws_cloudtrail.mgmt", other));
        let out = run(&CLOUDTRAIL_ENABLED, &both);
        assert!(out.fails().is_empty() && out.unknowns().is_empty());
        // Selectors known only after apply: unknown.
        let mut inv = trail(Field::Known(true), Field::Known(true), Field::Absent);
        if let crate::model::Body::Trail(t) = &mut inv.resources_mut()[0].body {
            t.management_events = Field::Unknown(Unknown::AfterApply);
        }
        let out = run(&CLOUDTRAIL_ENABLED, &inv);
        assert_eq!(out.unknowns(), vec!["aws_cloudtrail.main"]);
        assert!(out.messages()[0].contains("whether the trail records management events"));
    }
}

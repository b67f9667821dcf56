use crate::declare_rule;
use crate::model::LogGroup;
use crate::rules::{set, Check, Severity};

declare_rule! {
    /// ## What it checks
    /// Every `aws_cloudwatch_log_group` keeps its logs at least the documented number of days
    /// (`logs.retention_days`, 90): a shorter `retention_in_days` fails. A group whose logs
    /// never expire (`retention_in_days` not set, or 0) is a **low** severity finding: nothing
    /// is lost, but storage grows forever instead of being archived.
    ///
    /// ## Why
    /// The architecture document's "Log Aggregation": "Log retention: 90 days (then archived
    /// to S3)". Shorter retention loses the evidence an incident investigation or a Betfair
    /// dispute needs; never-expiring groups keep paying CloudWatch storage for logs that
    /// should have moved to S3 (the document budgets $30/month for "CloudWatch | Logs +
    /// Metrics").
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudwatch_log_group" "bot" {
    ///   name              = "/ecs/clever-better-bot"
    ///   retention_in_days = 14
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudwatch_log_group" "bot" {
    ///   name              = "/ecs/clever-better-bot"
    ///   retention_in_days = 90
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_66` (retention set) and `CKV_AWS_338` (at least one year); AWS Config
    /// `cw-loggroup-retention-period-check` (which counts never-expire as compliant). No
    /// Trivy equivalent.
    pub static LOG_RETENTION = Rule {
        id: "CB-LOG-002",
        name: "log-retention",
        area: Logging,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let days = c.policy.logs.retention_days;
    let attr = Some("retention_in_days");
    for g in c.inv.all::<LogGroup>() {
        let name = g
            .name
            .get()
            .map_or_else(|| g.address().to_string(), String::clone);
        let field = &g.retention_in_days;
        let Some(set_days) = c.need(g.id, attr, "the log retention", field) else {
            continue;
        };
        match set_days {
            None | Some(0) => c.fail_with_severity(
                g.id,
                attr,
                Severity::Low,
                format!(
                    "logs of {name} never expire (retention_in_days {}); the architecture keeps \
                     logs {days} days, then archives them to S3",
                    if field.is_absent() { "not set" } else { "= 0" }
                ),
                set("retention_in_days", days),
            ),
            Some(d) if *d < days => c.require(
                g.id,
                attr,
                format!("log group {name} keeps logs {} days", field.shown()),
                format!("at least {days}"),
                set("retention_in_days", days),
            ),
            Some(_) => c.pass(g.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Inventory, Unknown};
    use crate::rules::testing::{res, run};
    use crate::rules::Status;

    fn group(retention: Field<i64>) -> Inventory {
        let mut inv = Inventory::new();
        let g = LogGroup {
            name: Field::Known("/ecs/clever-better-bot".into()),
            retention_in_days: retention,
        };
        inv.push(res("aws_cloudwatch_log_group.bot", g));
        inv
    }

    #[test]
    fn ninety_days_or_more_pass() {
        for d in [90, 365] {
            assert_eq!(
                run(&LOG_RETENTION, &group(Field::Known(d))).passes(),
                vec!["aws_cloudwatch_log_group.bot"]
            );
        }
    }

    #[test]
    fn shorter_retention_fails_with_both_values() {
        let out = run(&LOG_RETENTION, &group(Field::Known(14)));
        assert_eq!(out.fails(), vec!["aws_cloudwatch_log_group.bot"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("14 days") && msg.contains("at least 90"),
            "{msg}"
        );
        assert_eq!(out.outcomes[0].severity, Severity::Medium);
    }

    #[test]
    fn never_expiring_is_a_low_finding() {
        for f in [Field::Absent, Field::Known(0)] {
            let out = run(&LOG_RETENTION, &group(f));
            let o = &out.outcomes[0];
            assert_eq!((o.status, o.severity), (Status::Fail, Severity::Low));
            assert!(
                o.message.contains("never expire") && o.message.contains("90 days"),
                "{}",
                o.message
            );
        }
    }

    #[test]
    fn unknown_retention_is_unknown() {
        let out = run(&LOG_RETENTION, &group(Field::Unknown(Unknown::AfterApply)));
        assert_eq!(out.unknowns(), vec!["aws_cloudwatch_log_group.bot"]);
    }
}

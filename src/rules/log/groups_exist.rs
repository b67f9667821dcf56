use crate::declare_rule;
use crate::model::LogGroup;
use crate::rules::documented::{self, Documented};
use crate::rules::Check;

declare_rule! {
    /// ## What it checks
    /// Every documented log group (`logs.required`: `/ecs/clever-better-bot`,
    /// `/ecs/clever-better-ml`, `/rds/clever-better`) exists as an `aws_cloudwatch_log_group`
    /// with exactly that name (CloudWatch Logs names are case-sensitive). A missing group is
    /// a finding with no resource; a log group whose name is not known yet makes the
    /// documented names it could be unknown.
    ///
    /// ## Why
    /// The architecture document's "Log Aggregation": "All logs centralized in CloudWatch
    /// Logs: `/ecs/clever-better-bot`, `/ecs/clever-better-ml`, `/rds/clever-better`". A
    /// group created implicitly by a service has no retention and no tags, and a missing one
    /// means the container's logs go nowhere (the awslogs driver fails to start the task).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudwatch_log_group" "bot" {
    ///   name = "/ecs/bot"
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
    /// None: Checkov, Trivy and AWS Config do not know which log groups the architecture
    /// names.
    pub static LOG_GROUPS_EXIST = Rule {
        id: "CB-LOG-001",
        name: "log-groups-exist",
        area: Logging,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

fn check(c: &mut Check<'_>) {
    let names = &c.policy.logs.required;
    documented::require(
        c,
        &Documented::<LogGroup> {
            names,
            name_of: |g| &g.name,
            resource_type: "aws_cloudwatch_log_group",
            label: "log group",
            missing: |want| {
                (
                    format!(
                        "log group {want} does not exist; the architecture centralizes logs in it"
                    ),
                    format!("declare an aws_cloudwatch_log_group with name = \"{want}\""),
                )
            },
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Gap, Inventory, Kind, Resource, Unknown};
    use crate::rules::testing::run;

    fn group(inv: &mut Inventory, address: &str, name: Field<&str>) {
        let g = LogGroup {
            name: name.map(str::to_string),
            retention_in_days: Field::Known(90),
        };
        inv.push(Resource::new("aws_cloudwatch_log_group", address, g));
    }

    #[test]
    fn documented_groups_pass() {
        let mut inv = Inventory::new();
        group(
            &mut inv,
            "aws_cloudwatch_log_group.bot",
            Field::Known("/ecs/clever-better-bot"),
        );
        group(
            &mut inv,
            "aws_cloudwatch_log_group.ml",
            Field::Known("/ecs/clever-better-ml"),
        );
        group(
            &mut inv,
            "aws_cloudwatch_log_group.rds",
            Field::Known("/rds/clever-better"),
        );
        let out = run(&LOG_GROUPS_EXIST, &inv);
        assert_eq!(out.passes().len(), 3);
        assert!(out.fails().is_empty());
    }

    #[test]
    fn missing_and_wrong_case_fail_without_resource() {
        let mut inv = Inventory::new();
        group(
            &mut inv,
            "aws_cloudwatch_log_group.bot",
            Field::Known("/ecs/clever-better-bot"),
        );
        group(
            &mut inv,
            "aws_cloudwatch_log_group.ml",
            Field::Known("/ECS/clever-better-ml"),
        );
        let out = run(&LOG_GROUPS_EXIST, &inv);
        assert_eq!(
            out.fails(),
            vec![
                "missing:/ecs/clever-better-ml",
                "missing:/rds/clever-better"
            ]
        );
        assert!(out.messages()[0].contains("/ecs/clever-better-ml does not exist"));
        assert!(out.messages()[0].contains("architecture"));
    }

    #[test]
    fn unknown_names_and_denied_reads_are_unknown() {
        let mut inv = Inventory::new();
        group(
            &mut inv,
            "aws_cloudwatch_log_group.x",
            Field::Unknown(Unknown::AfterApply),
        );
        let out = run(&LOG_GROUPS_EXIST, &inv);
        assert_eq!(out.unknowns(), vec!["aws_cloudwatch_log_group.x"]);
        assert!(out.fails().is_empty());

        let mut inv = Inventory::new();
        inv.add_gap(Gap {
            kinds: vec![Kind::LogGroup],
            reason: Unknown::Denied("logs:DescribeLogGroups".into()),
        });
        assert_eq!(run(&LOG_GROUPS_EXIST, &inv).unknowns().len(), 3);
    }
}

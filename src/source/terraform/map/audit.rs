//! CloudWatch Logs, CloudTrail, GuardDuty, AWS Config, alarms and SNS.

use super::{Mapped, TfRef};
use crate::model::*;

pub fn map(t: &str, v: TfRef<'_>) -> Option<Mapped> {
    Some(match t {
        "aws_cloudwatch_log_group" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(LogGroup {
                name: name.clone(),
                retention_in_days: v.get("retention_in_days").int(),
            })
            .id(&name)
        }
        "aws_cloudtrail" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(Trail {
                name: name.clone(),
                multi_region: v.get("is_multi_region_trail").bool(),
                log_file_validation: v.get("enable_log_file_validation").bool(),
                logging: v.get("enable_logging").bool(),
            })
            .id(&name)
        }
        "aws_guardduty_detector" => Mapped::new(GuardDutyDetector {
            enabled: v.get("enable").bool(),
        }),
        "aws_config_configuration_recorder" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(ConfigRecorder {
                name: name.clone(),
                all_supported: v.block("recording_group").get("all_supported").bool(),
                recording: Field::Absent,
            })
            .id(&name)
        }
        "aws_config_configuration_recorder_status" => Mapped::new(ConfigRecorderStatus {
            recorder: v.get("name").refs(),
            enabled: v.get("is_enabled").bool(),
        }),
        "aws_config_config_rule" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(ConfigRule {
                name: name.clone(),
                source_identifier: v.block("source").get("source_identifier").string_nonempty(),
            })
            .id(&name)
        }
        "aws_cloudwatch_metric_alarm" => {
            let name = v.get("alarm_name").string_nonempty();
            let mut metric_name = v.get("metric_name").string_nonempty();
            let mut namespace = v.get("namespace").string_nonempty();
            let mut period = v.get("period").int();
            let mut statistic = v.get("statistic").string_nonempty();
            if metric_name.is_absent() {
                // Metric-math alarms: the returned metric query's metric.
                let queries = v.get("metric_query").items();
                let chosen = queries
                    .iter()
                    .find(|q| !q.block("metric").is_null())
                    .copied();
                if let Some(q) = chosen {
                    let m = q.block("metric");
                    metric_name = m.get("metric_name").string_nonempty();
                    namespace = m.get("namespace").string_nonempty();
                    period = m.get("period").int();
                    statistic = m.get("stat").string_nonempty();
                }
            }
            Mapped::new(MetricAlarm {
                name: name.clone(),
                namespace,
                metric_name,
                comparison: v.get("comparison_operator").string_nonempty(),
                threshold: v.get("threshold").float(),
                period,
                evaluation_periods: v.get("evaluation_periods").int(),
                statistic,
                alarm_actions: v.get("alarm_actions").refs(),
            })
            .id(&name)
        }
        "aws_sns_topic" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(SnsTopic { name: name.clone() }).id(&name)
        }
        _ => return None,
    })
}

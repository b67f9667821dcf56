//! CloudTrail, GuardDuty, AWS Config, CloudWatch Logs and alarms, SNS.

use super::{Field, Refs};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogGroup {
    pub name: Field<String>,
    /// Days; absent or 0 means logs never expire.
    pub retention_in_days: Field<i64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trail {
    pub name: Field<String>,
    pub multi_region: Field<bool>,
    pub log_file_validation: Field<bool>,
    /// `enable_logging` (Terraform, default true) or the trail status (live).
    pub logging: Field<bool>,
    /// Whether the trail records management events (the API calls that manage resources):
    /// `Known(false)` for a trail whose event selectors all set
    /// `include_management_events = false`, or whose advanced event selectors select no
    /// `eventCategory = Management`. Absent: no event selectors, CloudTrail's default,
    /// which records all management events.
    pub management_events: Field<bool>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GuardDutyDetector {
    pub enabled: Field<bool>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigRecorder {
    pub name: Field<String>,
    /// `recording_group.all_supported` (default true).
    pub all_supported: Field<bool>,
    /// Live: the recorder status. Terraform: absent (see [`ConfigRecorderStatus`]).
    pub recording: Field<bool>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigRecorderStatus {
    pub recorder: Refs,
    pub enabled: Field<bool>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigRule {
    pub name: Field<String>,
    /// The managed rule identifier (`CLOUD_TRAIL_ENABLED`) or custom rule source.
    pub source_identifier: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricAlarm {
    pub name: Field<String>,
    pub namespace: Field<String>,
    pub metric_name: Field<String>,
    /// `GreaterThanThreshold`, …
    pub comparison: Field<String>,
    pub threshold: Field<f64>,
    pub period: Field<i64>,
    pub evaluation_periods: Field<i64>,
    pub statistic: Field<String>,
    pub alarm_actions: Refs,
    /// The names of the metric's dimensions (`ClusterName`, `ServiceName`,
    /// `DBInstanceIdentifier`); for a metric-math alarm, those of its one metric.
    pub dimensions: Field<Vec<String>>,
    /// A metric-math alarm's returned expression; absent for an alarm on one metric.
    pub math: Field<MetricMath>,
}

/// The expression a metric-math alarm compares with its threshold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricMath {
    /// `100 * m1 / 200`.
    pub expression: String,
    /// The ids of the queries that fetch a metric (`m1`); `metric_name` and `namespace` of
    /// the alarm are those of the first.
    pub metric_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SnsTopic {
    pub name: Field<String>,
}

/// `aws_sns_topic_subscription` (live: `sns:ListSubscriptions`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SnsSubscription {
    pub topic: Refs,
    /// `https`, `email`, `lambda`, …
    pub protocol: Field<String>,
    /// The endpoint (a URL, address or ARN); may be sensitive, never shown.
    pub endpoint: Field<String>,
}

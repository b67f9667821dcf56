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
                management_events: management_events(v),
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
            let mut dimensions = dimension_names(v.get("dimensions"));
            let mut math = Field::Absent;
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
                    dimensions = dimension_names(m.get("dimensions"));
                }
                math = metric_math(&queries);
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
                dimensions,
                math,
            })
            .id(&name)
        }
        "aws_sns_topic_subscription" => Mapped::new(SnsSubscription {
            topic: v.get("topic_arn").refs(),
            protocol: v.get("protocol").string_nonempty(),
            endpoint: v.get("endpoint").string_nonempty(),
        }),
        "aws_sns_topic" => {
            let name = v.get("name").string_nonempty();
            Mapped::new(SnsTopic { name: name.clone() }).id(&name)
        }
        _ => return None,
    })
}

/// Whether a trail records management events (see [`Trail::management_events`]).
///
/// Provider `aws_cloudtrail` (5.x): `event_selector.include_management_events` defaults to
/// true; `advanced_event_selector.field_selector` filters on `eventCategory` (`Management`
/// or `Data`), and a trail with advanced selectors logs only what they select (CloudTrail
/// User Guide, "Logging management events": with advanced event selectors, management
/// events are logged by a selector with `eventCategory` equal to `Management`).
fn management_events(v: TfRef<'_>) -> Field<bool> {
    let (basic, advanced) = (v.get("event_selector"), v.get("advanced_event_selector"));
    if basic.is_unknown() || advanced.is_unknown() {
        return Field::Unknown(Unknown::Unresolved(
            "the trail's event selectors are known only after apply".into(),
        ));
    }
    let advanced = advanced.items();
    if !advanced.is_empty() {
        let mut doubt = None;
        for selector in advanced {
            for f in selector.get("field_selector").items() {
                match f.get("field").string() {
                    Field::Known(name) | Field::Sensitive(name) if name == "eventCategory" => {}
                    Field::Unknown(u) => {
                        doubt.get_or_insert(u);
                        continue;
                    }
                    _ => continue,
                }
                match f.get("equals").strings() {
                    Field::Known(values) | Field::Sensitive(values) => {
                        if values.iter().any(|x| x == "Management") {
                            return Field::Known(true);
                        }
                    }
                    Field::Unknown(u) => {
                        doubt.get_or_insert(u);
                    }
                    Field::Absent => {}
                }
            }
        }
        return match doubt {
            Some(u) => Field::Unknown(u),
            None => Field::Known(false),
        };
    }
    let basic = basic.items();
    if basic.is_empty() {
        return Field::Absent;
    }
    let mut doubt = None;
    for selector in basic {
        match selector.get("include_management_events").bool() {
            Field::Known(true) | Field::Sensitive(true) | Field::Absent => {
                return Field::Known(true)
            }
            Field::Unknown(u) => {
                doubt.get_or_insert(u);
            }
            Field::Known(false) | Field::Sensitive(false) => {}
        }
    }
    match doubt {
        Some(u) => Field::Unknown(u),
        None => Field::Known(false),
    }
}

/// The keys of a `dimensions` map (absent: no dimensions).
fn dimension_names(v: TfRef<'_>) -> Field<Vec<String>> {
    if v.is_null() {
        return Field::Absent;
    }
    if v.is_unknown() {
        return Field::Unknown(Unknown::AfterApply);
    }
    Field::Known(
        v.entries()
            .into_iter()
            .map(|(k, _)| k.to_string())
            .collect(),
    )
}

/// The expression a metric-math alarm returns: the `return_data` query with an
/// `expression` (or the only expression query), with the ids of the metric queries.
fn metric_math(queries: &[TfRef<'_>]) -> Field<MetricMath> {
    let expressions: Vec<TfRef<'_>> = queries
        .iter()
        .filter(|q| !q.get("expression").is_null())
        .copied()
        .collect();
    let returned: Vec<TfRef<'_>> = expressions
        .iter()
        .filter(|q| matches!(q.get("return_data").bool(), Field::Known(true)))
        .copied()
        .collect();
    let chosen = match (returned.as_slice(), expressions.as_slice()) {
        ([one], _) | ([], [one]) => *one,
        (_, []) => return Field::Absent,
        _ => {
            return Field::Unknown(Unknown::Unresolved(
                "which metric-math expression the alarm returns".into(),
            ))
        }
    };
    let expression = match chosen.get("expression").string() {
        Field::Known(e) | Field::Sensitive(e) => e,
        Field::Unknown(u) => return Field::Unknown(u),
        Field::Absent => return Field::Absent,
    };
    let metric_ids = queries
        .iter()
        .filter(|q| !q.block("metric").is_null())
        .filter_map(|q| q.get("id").string().get().cloned())
        .collect();
    Field::Known(MetricMath {
        expression,
        metric_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::terraform::TfValue;

    fn management(v: serde_json::Value) -> Field<bool> {
        let v = TfValue::from_json(&v);
        match map("aws_cloudtrail", TfRef::plain(&v))
            .expect("mapped")
            .body
        {
            Body::Trail(t) => t.management_events,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn event_selectors_say_whether_management_events_are_recorded() {
        use serde_json::json;
        assert_eq!(management(json!({"name": "t"})), Field::Absent);
        let data_only = json!({"event_selector": [
            {"include_management_events": false, "read_write_type": "All"}
        ]});
        assert_eq!(management(data_only), Field::Known(false));
        let default_on = json!({"event_selector": [{"read_write_type": "WriteOnly"}]});
        assert_eq!(management(default_on), Field::Known(true));
        let advanced_data = json!({"advanced_event_selector": [{"field_selector": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]}
        ]}]});
        assert_eq!(management(advanced_data), Field::Known(false));
        let advanced_mgmt = json!({"advanced_event_selector": [
            {"field_selector": [{"field": "eventCategory", "equals": ["Data"]}]},
            {"field_selector": [{"field": "eventCategory", "equals": ["Management"]}]}
        ]});
        assert_eq!(management(advanced_mgmt), Field::Known(true));
    }
}

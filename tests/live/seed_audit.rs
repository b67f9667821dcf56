//! Logging, monitoring and audit: log groups (early, before the services that log to them),
//! then metric alarms, CloudTrail trails, GuardDuty detectors, AWS Config recorders (started
//! as their status says) and Config rules, each from the plan resource that declares it.
//!
//! Values the model does not hold are any valid ones: alarm dimension values (the model
//! holds the names: each is seeded with the value `seeded`), the trail's
//! bucket (a plan bucket, preferably an audit/log one, created if the storage seeder has
//! not), the recorder's role and delivery channel (moto starts a recorder only with one).
//! Alarm actions on plan SNS topics become those topics' ARNs (SNS itself is not seeded: the
//! live source judges actions by the topic name in the ARN).

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
use aws_sdk_config::types::{
    ConfigRule as AwsRule, ConfigurationRecorder, DeliveryChannel, Owner, RecordingGroup,
    ResourceType, Source,
};
use aws_smithy_types::error::display::DisplayErrorContext;
use cbaudit::model::{
    Bucket, ConfigRecorder, ConfigRecorderStatus, ConfigRule, Field, GuardDutyDetector, LogGroup,
    MetricAlarm, ResId, Resolution, SnsTopic, Trail,
};

use super::seed::Seeder;

/// The call's output, or `None` once its failure is reported: a call moto rejects must not
/// stop the seeding of the other areas.
fn ok<T, E: std::error::Error>(what: &str, r: Result<T, E>) -> Option<T> {
    r.map_err(|e| eprintln!("seed_audit: {what}: {}", DisplayErrorContext(&e)))
        .ok()
}

/// Log groups with their retention (none when the plan's is absent or 0: never expire).
pub async fn seed_logs(s: &mut Seeder) {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&s.sdk);
    let groups = s.plan_all::<LogGroup>();
    for (id, g) in groups {
        let Some(name) = g.name.get() else {
            eprintln!(
                "seed_audit: log group {} has no known name",
                s.plan.get(id).address()
            );
            continue;
        };
        match logs.create_log_group().log_group_name(name).send().await {
            Err(e)
                if !e
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_already_exists_exception()) =>
            {
                ok::<(), _>(&format!("CreateLogGroup {name}"), Err(e));
                continue;
            }
            _ => {}
        }
        if let Some(&days) = g.retention_in_days.get().filter(|d| **d > 0) {
            let put = logs
                .put_retention_policy()
                .log_group_name(name)
                .retention_in_days(days as i32);
            ok(&format!("PutRetentionPolicy {name}"), put.send().await);
        }
        let arn = s.arn("logs", &format!("log-group:{name}"));
        s.owns(arn.clone(), id);
        s.created(id, arn);
    }
}

/// Alarms, trails, detectors, Config recorders and rules.
pub async fn seed(s: &mut Seeder) {
    alarms(s).await;
    let bucket = if s.plan.all::<Trail>().next().is_some()
        || s.plan.all::<ConfigRecorder>().next().is_some()
    {
        Some(audit_bucket(s).await)
    } else {
        None
    };
    trails(s, bucket.as_deref()).await;
    detectors(s).await;
    recorders(s, bucket.as_deref()).await;
    rules(s).await;
}

async fn alarms(s: &mut Seeder) {
    let cw = aws_sdk_cloudwatch::Client::new(&s.sdk);
    // (plan id, alarm, action ARNs): plan topics become their ARNs.
    let alarms: Vec<(ResId, MetricAlarm, Vec<String>)> = s
        .plan
        .all::<MetricAlarm>()
        .map(|a| {
            let actions = match s.plan.resolve::<SnsTopic>(&a.alarm_actions) {
                Resolution::Known { found, external } => found
                    .iter()
                    .filter_map(|t| t.name.get().map(|n| s.arn("sns", n)))
                    .chain(external)
                    .collect(),
                _ => Vec::new(),
            };
            (a.id, a.data.clone(), actions)
        })
        .collect();
    for (id, a, actions) in alarms {
        let Some(name) = a.name.get() else {
            eprintln!(
                "seed_audit: alarm {} has no known name",
                s.plan.get(id).address()
            );
            continue;
        };
        let text = |f: &Field<String>| f.get().cloned();
        let put = cw
            .put_metric_alarm()
            .alarm_name(name)
            .set_namespace(text(&a.namespace))
            .set_metric_name(text(&a.metric_name))
            .set_dimensions(a.dimensions.get().map(|names| {
                names
                    .iter()
                    .map(|n| Dimension::builder().name(n).value("seeded").build())
                    .collect()
            }))
            .comparison_operator(ComparisonOperator::from(
                a.comparison
                    .get()
                    .map_or("GreaterThanThreshold", String::as_str),
            ))
            .threshold(a.threshold.get().copied().unwrap_or(0.0))
            .period(a.period.get().map_or(60, |p| *p as i32))
            .evaluation_periods(a.evaluation_periods.get().map_or(1, |n| *n as i32))
            .statistic(Statistic::from(
                a.statistic.get().map_or("Average", String::as_str),
            ))
            .set_alarm_actions(Some(actions))
            .send()
            .await;
        if ok(&format!("PutMetricAlarm {name}"), put).is_none() {
            continue;
        }
        let arn = s.arn("cloudwatch", &format!("alarm:{name}"));
        s.owns(arn.clone(), id);
        s.created(id, arn);
    }
}

/// The bucket trails and the Config delivery channel write to: an existing plan bucket
/// (an audit/log one first), else the preferred plan bucket, created now.
async fn audit_bucket(s: &mut Seeder) -> String {
    let conf = aws_sdk_s3::config::Builder::from(&s.sdk)
        .force_path_style(true)
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(conf);
    let mut names: Vec<String> = s
        .plan
        .all::<Bucket>()
        .filter_map(|b| b.name.get().cloned())
        .collect();
    let rank = |n: &String| !["audit", "trail", "log"].iter().any(|k| n.contains(k));
    names.sort_by_key(rank);
    let existing: Vec<String> = ok("ListBuckets", s3.list_buckets().send().await)
        .map(|o| {
            o.buckets()
                .iter()
                .filter_map(|b| b.name().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Some(n) = names.iter().find(|n| existing.contains(n)) {
        return n.clone();
    }
    let name = names
        .first()
        .cloned()
        .unwrap_or_else(|| format!("cbaudit-audit-{}", s.account));
    let location = aws_sdk_s3::types::BucketLocationConstraint::from(s.region.as_str());
    let create = s3
        .create_bucket()
        .bucket(&name)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(location)
                .build(),
        );
    ok(&format!("CreateBucket {name}"), create.send().await);
    name
}

async fn trails(s: &mut Seeder, bucket: Option<&str>) {
    let ct = aws_sdk_cloudtrail::Client::new(&s.sdk);
    let trails = s.plan_all::<Trail>();
    for (id, t) in trails {
        let (Some(name), Some(bucket)) = (t.name.get(), bucket) else {
            continue;
        };
        let create = ct
            .create_trail()
            .name(name)
            .s3_bucket_name(bucket)
            .is_multi_region_trail(t.multi_region.get() == Some(&true))
            .enable_log_file_validation(t.log_file_validation.get() == Some(&true));
        let Some(out) = ok(&format!("CreateTrail {name}"), create.send().await) else {
            continue;
        };
        // enable_logging defaults to true.
        if t.logging.get() != Some(&false) {
            let start = ct.start_logging().name(name).send().await;
            ok(&format!("StartLogging {name}"), start);
        }
        let arn = out.trail_arn().map_or_else(
            || s.arn("cloudtrail", &format!("trail/{name}")),
            str::to_string,
        );
        s.owns(arn.clone(), id);
        s.created(id, arn);
    }
}

async fn detectors(s: &mut Seeder) {
    let gd = aws_sdk_guardduty::Client::new(&s.sdk);
    let detectors = s.plan_all::<GuardDutyDetector>();
    for (id, d) in detectors {
        // `enable` defaults to true.
        let create = gd.create_detector().enable(d.enabled.get() != Some(&false));
        let Some(detector) = ok("CreateDetector", create.send().await)
            .and_then(|o| o.detector_id().map(str::to_string))
        else {
            continue;
        };
        s.owns(s.arn("guardduty", &format!("detector/{detector}")), id);
        s.created(id, detector);
    }
}

async fn recorders(s: &mut Seeder, bucket: Option<&str>) {
    let cfg = aws_sdk_config::Client::new(&s.sdk);
    let recorders = s.plan_all::<ConfigRecorder>();
    // The recorders a plan status enables (or disables), and that status.
    let statuses: Vec<(ResId, Vec<ResId>, bool)> = s
        .plan
        .all::<ConfigRecorderStatus>()
        .map(|st| {
            let targets = match s.plan.resolve::<ConfigRecorder>(&st.recorder) {
                Resolution::Known { found, .. } => found.iter().map(|r| r.id).collect(),
                _ => Vec::new(),
            };
            (st.id, targets, st.enabled.get() == Some(&true))
        })
        .collect();
    let mut channel = false;
    for (id, r) in recorders {
        let Some(name) = r.name.get() else {
            continue;
        };
        // The model holds no resource types: any one stands for "only selected types".
        let group = match r.all_supported.get() {
            Some(false) => RecordingGroup::builder()
                .all_supported(false)
                .resource_types(ResourceType::Bucket)
                .build(),
            _ => RecordingGroup::builder()
                .all_supported(true)
                .include_global_resource_types(true)
                .build(),
        };
        let recorder = ConfigurationRecorder::builder()
            .name(name)
            .role_arn(format!("arn:aws:iam::{}:role/config-recorder", s.account))
            .recording_group(group)
            .build();
        let put = cfg
            .put_configuration_recorder()
            .configuration_recorder(recorder);
        if ok(
            &format!("PutConfigurationRecorder {name}"),
            put.send().await,
        )
        .is_none()
        {
            continue;
        }
        let arn = s.arn("config", &format!("configuration-recorder/{name}"));
        let mine: Vec<&(ResId, Vec<ResId>, bool)> = statuses
            .iter()
            .filter(|(_, targets, _)| targets.contains(&id))
            .collect();
        let start = r.recording.get() == Some(&true) || mine.iter().any(|(_, _, on)| *on);
        if start {
            if !channel {
                let dc = DeliveryChannel::builder()
                    .name("default")
                    .s3_bucket_name(bucket.unwrap_or("cbaudit-config"))
                    .build();
                let put = cfg.put_delivery_channel().delivery_channel(dc).send().await;
                channel = ok("PutDeliveryChannel", put).is_some();
            }
            let start = cfg
                .start_configuration_recorder()
                .configuration_recorder_name(name);
            ok(
                &format!("StartConfigurationRecorder {name}"),
                start.send().await,
            );
        }
        for (status, _, _) in mine {
            s.owns(format!("{arn}/status"), *status);
        }
        s.owns(arn.clone(), id);
        s.created(id, name.clone());
    }
}

async fn rules(s: &mut Seeder) {
    let cfg = aws_sdk_config::Client::new(&s.sdk);
    let rules = s.plan_all::<ConfigRule>();
    for (id, r) in rules {
        let (Some(name), Some(identifier)) = (r.name.get(), r.source_identifier.get()) else {
            eprintln!(
                "seed_audit: Config rule {} has no known name or source identifier",
                s.plan.get(id).address()
            );
            continue;
        };
        let Some(source) = ok(
            "a Config rule source",
            Source::builder()
                .owner(Owner::Aws)
                .source_identifier(identifier)
                .build(),
        ) else {
            continue;
        };
        let rule = AwsRule::builder()
            .config_rule_name(name)
            .source(source)
            .build();
        let put = cfg.put_config_rule().config_rule(rule).send().await;
        if ok(&format!("PutConfigRule {name}"), put).is_none() {
            continue;
        }
        let described = cfg
            .describe_config_rules()
            .config_rule_names(name)
            .send()
            .await;
        let described = ok(&format!("DescribeConfigRules {name}"), described);
        if let Some(arn) = described
            .as_ref()
            .and_then(|d| d.config_rules().first()?.config_rule_arn())
        {
            s.owns(arn.to_string(), id);
            s.created(id, arn.to_string());
        }
    }
}

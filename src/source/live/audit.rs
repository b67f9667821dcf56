//! Audit services: CloudTrail trails, GuardDuty detectors and AWS Config recorders and
//! rules, mapped like `aws_cloudtrail`, `aws_guardduty_detector`,
//! `aws_config_configuration_recorder` (+ `_status`) and `aws_config_config_rule`.
//!
//! Calls (IAM actions):
//! - CloudTrail: `cloudtrail:DescribeTrails` (shadow trails included: a multi-region trail
//!   created in another region covers this one too), `cloudtrail:GetTrailStatus` per trail
//!   (by ARN, which also works for shadow trails): `IsLogging` is the trail's `logging`;
//!   `cloudtrail:GetEventSelectors` per trail (by ARN): whether it records management
//!   events (no selectors: CloudTrail's default, every management event).
//! - GuardDuty: `guardduty:ListDetectors` (paginated), `guardduty:GetDetector` per detector:
//!   status `ENABLED` is `enable = true`; its tags come with it.
//! - Config: `config:DescribeConfigurationRecorders`,
//!   `config:DescribeConfigurationRecorderStatus` (a recorder's `recording` is its status, and
//!   each status is also a `ConfigRecorderStatus`), `config:DescribeConfigRules` (paginated).
//!
//! Tags of trails, recorders and Config rules are not read (no rule needs them; they stay
//! unknown). Addresses: the ARN of the trail, detector, recorder or rule; a recorder's status
//! is `<recorder ARN>/status`.

use std::collections::HashMap;

use aws_sdk_config::types::ConfigurationRecorder;

use crate::model::{
    ident, ConfigRecorder, ConfigRecorderStatus, ConfigRule, Field, GuardDutyDetector, Kind, Tags,
    Trail, Unknown,
};

use super::ctx::{client, known, tags, why};
use super::{Batch, Ctx};

/// Tags this reader does not read.
fn unread(what: &str) -> Field<Tags> {
    Field::Unknown(Unknown::NotInInputs(format!(
        "the tags of {what} (not read)"
    )))
}

pub const CLOUDTRAIL_KINDS: &[Kind] = &[Kind::Trail];

pub async fn read_cloudtrail(ctx: &Ctx, out: &mut Batch) {
    let ct = client!(ctx, aws_sdk_cloudtrail);
    let trails = match ct
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(o) => o.trail_list.unwrap_or_default(),
        Err(e) => return out.gap(CLOUDTRAIL_KINDS, "cloudtrail:DescribeTrails", &e),
    };
    for t in trails {
        let Some(name) = t.name() else {
            continue;
        };
        let arn = t.trail_arn().map_or_else(
            || ctx.arn("cloudtrail", &format!("trail/{name}")),
            str::to_string,
        );
        let logging = match ct.get_trail_status().name(&arn).send().await {
            Ok(s) => known(s.is_logging()),
            Err(e) => Field::Unknown(why("cloudtrail:GetTrailStatus", &e)),
        };
        // Read for every trail, whatever `HasCustomEventSelectors` says (not every
        // implementation of the API sets it).
        let management_events = match ct.get_event_selectors().trail_name(&arn).send().await {
            Ok(s) => management_events(&s),
            Err(e) => Field::Unknown(why("cloudtrail:GetEventSelectors", &e)),
        };
        let model = Trail {
            name: Field::Known(name.to_string()),
            multi_region: known(t.is_multi_region_trail()),
            log_file_validation: known(t.log_file_validation_enabled()),
            logging,
            management_events,
        };
        let ids = vec![name.to_string()];
        let mut r = ctx.resource("aws_cloudtrail", arn, ids, unread("trails"), model);
        // A shadow trail is the same trail, in its home region.
        if let Some(home) = t.home_region() {
            r.provenance.region = Some(home.to_string());
        }
        out.push(r);
    }
}

/// Whether a trail's selectors record management events: an advanced selector with
/// `eventCategory` equal to `Management`, or a basic selector that does not set
/// `IncludeManagementEvents` to false (CloudTrail API `GetEventSelectors`).
fn management_events(
    s: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> Field<bool> {
    let advanced = s.advanced_event_selectors();
    if !advanced.is_empty() {
        let management = advanced.iter().any(|a| {
            a.field_selectors().iter().any(|f| {
                f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Management")
            })
        });
        return Field::Known(management);
    }
    let basic = s.event_selectors();
    if basic.is_empty() {
        return Field::Absent;
    }
    Field::Known(
        basic
            .iter()
            .any(|b| b.include_management_events() != Some(false)),
    )
}

pub const GUARDDUTY_KINDS: &[Kind] = &[Kind::GuardDutyDetector];

pub async fn read_guardduty(ctx: &Ctx, out: &mut Batch) {
    let gd = client!(ctx, aws_sdk_guardduty);
    let listing = gd.list_detectors().into_paginator().items().send();
    for id in out
        .drain(listing, GUARDDUTY_KINDS, "guardduty:ListDetectors")
        .await
    {
        let (enabled, tags) = match gd.get_detector().detector_id(&id).send().await {
            Ok(d) => (
                known(d.status().map(|s| s.as_str() == "ENABLED")),
                d.tags().map_or(Field::Absent, |m| {
                    tags(m.iter().map(|(k, v)| (Some(k.as_str()), Some(v.as_str()))))
                }),
            ),
            Err(e) => {
                let u = why("guardduty:GetDetector", &e);
                (Field::Unknown(u.clone()), Field::Unknown(u))
            }
        };
        let arn = ctx.arn("guardduty", &format!("detector/{id}"));
        let model = GuardDutyDetector { enabled };
        out.push(ctx.resource("aws_guardduty_detector", arn, vec![id], tags, model));
    }
}

pub const CONFIG_KINDS: &[Kind] = &[
    Kind::ConfigRecorder,
    Kind::ConfigRecorderStatus,
    Kind::ConfigRule,
];

pub async fn read_config(ctx: &Ctx, out: &mut Batch) {
    let cfg = client!(ctx, aws_sdk_config);
    recorders(ctx, &cfg, out).await;
    rules(ctx, &cfg, out).await;
}

async fn recorders(ctx: &Ctx, cfg: &aws_sdk_config::Client, out: &mut Batch) {
    let recorders = match cfg.describe_configuration_recorders().send().await {
        Ok(o) => o.configuration_recorders.unwrap_or_default(),
        Err(e) => {
            let kinds = &[Kind::ConfigRecorder, Kind::ConfigRecorderStatus];
            return out.gap(kinds, "config:DescribeConfigurationRecorders", &e);
        }
    };
    if recorders.is_empty() {
        return;
    }
    // Recorder name → recording, or why the statuses are unknown.
    let statuses: Result<HashMap<String, bool>, Unknown> =
        match cfg.describe_configuration_recorder_status().send().await {
            Ok(o) => Ok(o
                .configuration_recorders_status()
                .iter()
                .filter_map(|s| Some((s.name()?.to_string(), s.recording())))
                .collect()),
            Err(e) => {
                let permission = "config:DescribeConfigurationRecorderStatus";
                out.gap(&[Kind::ConfigRecorderStatus], permission, &e);
                Err(why(permission, &e))
            }
        };
    for rec in &recorders {
        recorder(ctx, rec, &statuses, out);
    }
}

fn recorder(
    ctx: &Ctx,
    rec: &ConfigurationRecorder,
    statuses: &Result<HashMap<String, bool>, Unknown>,
    out: &mut Batch,
) {
    let Some(name) = rec.name() else {
        return;
    };
    let arn = rec.arn().map_or_else(
        || ctx.arn("config", &format!("configuration-recorder/{name}")),
        str::to_string,
    );
    let recording = match statuses {
        Ok(m) => match m.get(name) {
            Some(&on) => Field::Known(on),
            None => Field::Unknown(Unknown::NotInInputs(format!(
                "the status of Config recorder {name}"
            ))),
        },
        Err(u) => Field::Unknown(u.clone()),
    };
    if let Field::Known(on) = recording {
        let status = ConfigRecorderStatus {
            // By ARN: every region's recorder may be named `default`.
            recorder: Field::Known(vec![ident(&arn)]),
            enabled: Field::Known(on),
        };
        let address = format!("{arn}/status");
        out.push(ctx.resource(
            "aws_config_configuration_recorder_status",
            address,
            Vec::new(),
            Field::Absent,
            status,
        ));
    }
    let model = ConfigRecorder {
        name: Field::Known(name.to_string()),
        all_supported: known(rec.recording_group().map(|g| g.all_supported())),
        recording,
    };
    let ids = vec![name.to_string()];
    out.push(ctx.resource(
        "aws_config_configuration_recorder",
        arn,
        ids,
        unread("Config recorders"),
        model,
    ));
}

async fn rules(ctx: &Ctx, cfg: &aws_sdk_config::Client, out: &mut Batch) {
    let listing = cfg.describe_config_rules().into_paginator().items().send();
    let kinds = [Kind::ConfigRule];
    for rule in out
        .drain(listing, &kinds, "config:DescribeConfigRules")
        .await
    {
        let Some(name) = rule.config_rule_name() else {
            continue;
        };
        let arn = rule.config_rule_arn().map_or_else(
            || ctx.arn("config", &format!("config-rule/{name}")),
            str::to_string,
        );
        let mut ids = vec![name.to_string()];
        ids.extend(rule.config_rule_id().map(str::to_string));
        let model = ConfigRule {
            name: Field::Known(name.to_string()),
            source_identifier: known(
                rule.source()
                    .and_then(|s| s.source_identifier())
                    .map(str::to_string),
            ),
        };
        out.push(ctx.resource(
            "aws_config_config_rule",
            arn,
            ids,
            unread("Config rules"),
            model,
        ));
    }
}

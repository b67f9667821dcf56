//! Organization scale: the configuration items of every account and region of an AWS
//! Config aggregator, read with `SelectAggregateResourceConfig` (paginated) and mapped into
//! the same model, one inventory per account.
//!
//! AWS Config records resource configurations, not everything the rules read: the kinds
//! it does not record (flow logs, WAF associations, ECS, Config's own recorders…) are not
//! produced by this [`Source`], so they become gaps and the rules that read them report
//! unknown rather than a false verdict.

mod map;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use aws_config::Region;

use crate::model::{Input, Inventory, Kind, Origin, Unknown};
use crate::source::{LoadError, Loaded, Source};

use super::{base_config, identity, runtime, LiveError, LiveOptions, LiveScan, Recorder};

pub use map::{map_item, RESOURCE_TYPES};

/// The advanced query: every recorded resource of the types the model maps.
pub fn expression() -> String {
    let types: Vec<String> = RESOURCE_TYPES.iter().map(|t| format!("'{t}'")).collect();
    format!(
        "SELECT accountId, awsRegion, resourceId, resourceName, resourceType, arn, tags, \
         configuration, supplementaryConfiguration WHERE resourceType IN ({})",
        types.join(", ")
    )
}

/// Every account and region of the AWS Config aggregator `name`, as a [`Source`].
#[derive(Debug, Clone)]
pub struct Aggregator {
    pub opts: LiveOptions,
    pub name: String,
}

impl Source for Aggregator {
    fn origin(&self) -> Origin {
        Origin::Aggregator
    }
    fn produces(&self, kind: Kind) -> bool {
        !unrecorded().contains(&kind)
    }
    fn not_produced(&self, _kind: Kind) -> Unknown {
        Unknown::NotReadBySource(
            "not recorded by AWS Config; scan the account with --live".to_string(),
        )
    }
    fn load(&self) -> Result<Loaded, LoadError> {
        Ok(scan_aggregator(&self.opts, &self.name)?.into())
    }
}

pub fn scan_aggregator(opts: &LiveOptions, name: &str) -> Result<LiveScan, LiveError> {
    runtime()?.block_on(scan_aggregator_async(opts, name, Recorder::default()))
}

pub async fn scan_aggregator_async(
    opts: &LiveOptions,
    name: &str,
    recorder: Recorder,
) -> Result<LiveScan, LiveError> {
    let started = Instant::now();
    let mut sdk = base_config(opts).await;
    if let Some(role) = &opts.assume_role {
        sdk = super::assume(&sdk, role).await;
    }
    let region = opts
        .regions
        .first()
        .cloned()
        .or_else(|| sdk.region().map(|r| r.as_ref().to_string()))
        .ok_or(LiveError::NoRegion)?;
    let sdk = sdk.to_builder().region(Region::new(region.clone())).build();
    identity(&sdk, &recorder)
        .await
        .map_err(|message| LiveError::Credentials {
            target: format!("aggregator {name}"),
            message,
        })?;
    let conf = aws_sdk_config::config::Builder::from(&sdk)
        .interceptor(recorder.clone())
        .build();
    let client = aws_sdk_config::Client::from_conf(conf);
    let query = expression();
    let mut accounts: BTreeMap<String, Inventory> = BTreeMap::new();
    let mut token: Option<String> = None;
    let deadline = started + opts.timeout;
    loop {
        let call = client
            .select_aggregate_resource_config()
            .configuration_aggregator_name(name)
            .expression(&query)
            .limit(100)
            .set_next_token(token.clone())
            .send();
        let left = deadline.saturating_duration_since(Instant::now());
        let page = match tokio::time::timeout(left, call).await {
            Ok(Ok(page)) => page,
            Ok(Err(err)) => {
                return Err(LiveError::Aggregator(format!(
                    "aggregator {name}: {}",
                    super::ctx::why("config:SelectAggregateResourceConfig", &err)
                )))
            }
            Err(_) => {
                return Err(LiveError::Aggregator(format!(
                    "aggregator {name}: not read within the scan's --timeout"
                )))
            }
        };
        for result in page.results() {
            let item: serde_json::Value = serde_json::from_str(result).map_err(|e| {
                LiveError::Aggregator(format!("aggregator {name}: a result is not JSON: {e}"))
            })?;
            let account = item["accountId"].as_str().unwrap_or("unknown").to_string();
            let region = item["awsRegion"].as_str().unwrap_or("global").to_string();
            let inv = accounts.entry(account.clone()).or_insert_with(|| {
                let mut inv = Inventory::new();
                inv.account = Some(account.clone());
                inv
            });
            let input: Arc<str> = Arc::from(format!("aggregator:{name}/{account}/{region}"));
            if !inv.inputs.iter().any(|i| *i.path == *input) {
                inv.inputs.push(Input {
                    kind: Origin::Aggregator,
                    path: input.to_string(),
                });
            }
            for resource in map_item(&item, &input) {
                inv.push(resource);
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    if accounts.is_empty() {
        return Err(LiveError::Aggregator(format!(
            "aggregator {name} holds no configuration item of the types cbaudit reads"
        )));
    }
    let source = Aggregator {
        opts: opts.clone(),
        name: name.to_string(),
    };
    let inventories = accounts
        .into_values()
        .map(|mut inv| {
            crate::source::mark_unproduced(&source, &mut inv);
            inv
        })
        .collect();
    Ok(LiveScan {
        inventories,
        calls: recorder.snapshot(),
        missing_permissions: Vec::new(),
        elapsed: started.elapsed(),
    })
}

/// Kinds the live source reads that configuration items do not give.
pub fn unrecorded() -> Vec<Kind> {
    super::kinds()
        .into_iter()
        .filter(|k| !map::MAPPED_KINDS.contains(k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::rules::{self, RULES};

    /// The rules that claimed every source but AWS Config aggregators before sources
    /// declared what they produce (`NO_AGGREGATOR`): they read what configuration items do
    /// not record. One ID per line, shared with the aggregator test in
    /// `tests/live/aggregator.rs`.
    fn read_unrecorded() -> Vec<&'static str> {
        include_str!("../../../../fixtures/aggregator/reads-unrecorded.txt")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }

    /// The fixture plan as an aggregator would hold it: only the kinds AWS Config records,
    /// each unrecorded kind a gap (as `read` and `scan_aggregator_async` record them).
    fn as_aggregator(plan: &Inventory) -> Inventory {
        let source = Aggregator {
            opts: LiveOptions::default(),
            name: "org".into(),
        };
        let mut inv = Inventory::new();
        inv.inputs.push(Input {
            kind: Origin::Aggregator,
            path: "aggregator:org/111111111111/eu-west-2".into(),
        });
        for r in plan.resources() {
            if source.produces(r.body.kind()) {
                let mut r = r.clone();
                r.provenance.source = Origin::Aggregator;
                inv.push(r);
            }
        }
        crate::source::mark_unproduced(&source, &mut inv);
        inv
    }

    /// Every rule that reads what AWS Config does not record gives no pass and no failure
    /// on aggregator input, only unknowns, where the plan of the same resources gives
    /// passes: it was unknown, it stays unknown. The other rules never blame the
    /// aggregator's gaps on these fixtures.
    #[test]
    fn rules_reading_unrecorded_kinds_never_pass_on_an_aggregator() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clever-better");
        let mut policy = Policy::default_policy();
        policy.scope = None;
        let read_unrecorded = read_unrecorded();
        assert_eq!(read_unrecorded.len(), 20);
        let mut passed_on_plan = 0;
        for case in ["compliant", "violating"] {
            let plan = crate::source::load(&[root.join(case).join("plan.json")]).expect("plan");
            let agg = as_aggregator(&plan);
            assert!(!agg.is_empty() && agg.len() < plan.len(), "{case}");
            for id in &read_unrecorded {
                let rule = rules::find(id).expect("rule");
                passed_on_plan += crate::engine::run(&plan, &policy, &[rule]).summary.pass;
                let report = crate::engine::run(&agg, &policy, &[rule]);
                assert_eq!(report.summary.pass, 0, "{id} passes on {case}: {report:?}");
                assert_eq!(report.summary.fail, 0, "{id} fails on {case}: {report:?}");
                assert!(report.summary.unknown > 0, "{id} says nothing on {case}");
                for f in &report.findings {
                    // One clause, no label said twice: "cannot be judged, DB subnet groups
                    // are not recorded by AWS Config; scan the account with --live (…)".
                    if f.message.contains("AWS Config") {
                        assert!(
                            f.message.contains(
                                " are not recorded by AWS Config; scan the account with --live"
                            ) || f.message.contains(
                                ": not recorded by AWS Config; scan the account with --live"
                            ),
                            "{id}: {}",
                            f.message
                        );
                    }
                }
            }
            for rule in RULES.iter().filter(|r| !read_unrecorded.contains(&r.id)) {
                let report = crate::engine::run(&agg, &policy, &[rule]);
                assert!(
                    report
                        .findings
                        .iter()
                        .all(|f| !f.message.contains("not recorded by AWS Config")),
                    "{} needs what AWS Config does not record: {:#?}",
                    rule.id,
                    report.findings
                );
            }
        }
        assert!(passed_on_plan > 0, "the same rules pass on the plans");
    }
}

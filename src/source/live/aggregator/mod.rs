//! Organization scale: the configuration items of every account and region of an AWS
//! Config aggregator, read with `SelectAggregateResourceConfig` (paginated) and mapped into
//! the same model, one inventory per account.
//!
//! AWS Config records resource configurations, not everything the rules read: kinds it
//! does not record (flow logs, WAF associations, ECS, Config's own recorders…) become
//! gaps, so the rules that need them report unknown rather than a false verdict.

mod map;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use aws_config::Region;

use crate::model::{Gap, Input, Inventory, KindTag, SourceKind, Unknown};

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
                    kind: SourceKind::Aggregator,
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
    let inventories = accounts
        .into_values()
        .map(|mut inv| {
            for kind in unrecorded() {
                inv.add_gap(Gap {
                    kinds: vec![kind],
                    reason: Unknown::NotInInputs(format!(
                        "{}s (not recorded by AWS Config: scan the account with --live)",
                        kind.label()
                    )),
                });
            }
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
pub fn unrecorded() -> Vec<KindTag> {
    super::kinds()
        .into_iter()
        .filter(|k| !map::MAPPED_KINDS.contains(k))
        .collect()
}

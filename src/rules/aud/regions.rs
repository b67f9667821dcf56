//! Regions: GuardDuty detectors and AWS Config recorders are regional (a detector in
//! us-east-1 does not watch a workload in eu-west-2), so CB-AUD-002 and CB-AUD-003 judge each
//! region the architecture runs in.
//!
//! A resource's region is its provenance's: the region of its provider configuration for
//! Terraform (`provider = aws.use1`, a module's `providers = { aws = aws.use1 }`, the region
//! a constant or a root variable), the region read for a live account (`Ctx`), the item's
//! region for an AWS Config aggregator. A resource whose region the inputs do not hold is
//! unknown, never taken to be another's.
//!
//! The regions the architecture runs in are those of its workloads: VPCs (not AWS's default
//! VPC), ECS clusters, load balancers and DB instances (in a live scan, those the policy's
//! `[scope]` places in the architecture). With no workload in the inputs, the rules only
//! require one enabled detector / recording recorder somewhere, as before.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    DbInstance, EcsCluster, Inventory, Kind, LoadBalancer, ResId, Resource, Unknown, Vpc,
};
use crate::rules::{requires, Check};

/// The region of a resource, or why it is not known.
pub fn region_of(r: &Resource) -> Result<&str, Unknown> {
    r.provenance
        .region
        .as_deref()
        .ok_or_else(|| Unknown::NotInInputs("the region of its provider configuration".to_string()))
}

/// The regions the architecture's workloads run in (each with the address of one workload
/// there, for messages), and the workloads whose region is unknown.
pub struct Workloads {
    pub regions: BTreeMap<String, String>,
    pub unknown: Vec<(ResId, Unknown)>,
}

pub fn workloads(inv: &Inventory) -> Workloads {
    let mut out = Workloads {
        regions: BTreeMap::new(),
        unknown: Vec::new(),
    };
    let mut add = |id: ResId, r: &Resource| {
        if !inv.in_scope(id) {
            return;
        }
        match region_of(r) {
            Ok(region) => {
                out.regions
                    .entry(region.to_string())
                    .or_insert_with(|| r.address().to_string());
            }
            Err(u) => out.unknown.push((id, u)),
        }
    };
    for v in inv.all::<Vpc>().filter(|v| !v.default) {
        add(v.id, v.resource);
    }
    for c in inv.all::<EcsCluster>() {
        add(c.id, c.resource);
    }
    for lb in inv.all::<LoadBalancer>() {
        add(lb.id, lb.resource);
    }
    for db in inv.all::<DbInstance>() {
        add(db.id, db.resource);
    }
    out
}

/// One regional resource that may cover its region: a detector or a recorder.
pub struct Candidate {
    pub id: ResId,
    pub region: Result<String, Unknown>,
    /// `Some(true)`: on (enabled, recording); `Some(false)`: off; `None`: unknown.
    pub on: Option<bool>,
}

/// What a regional service is, for messages and missing findings.
pub struct Service {
    /// `GuardDuty detector`.
    pub what: &'static str,
    /// `GuardDuty`.
    pub service: &'static str,
    pub tag: Kind,
    pub resource_type: &'static str,
    /// `threat detection enabled`.
    pub requirement: &'static str,
    /// `declare an aws_guardduty_detector with enable = true`.
    pub help: &'static str,
}

/// Judges each region the workloads run in: covered by a candidate that is on in that
/// region; otherwise unknown when a candidate's region is unknown (on that candidate), no
/// new finding when the region's candidates are off or unknown (they carry their own), and
/// a missing finding when the region has none. Returns the candidates whose unknown region
/// decided an outcome: the caller reports them unknown instead of passing them.
pub fn judge_regions(
    c: &mut Check<'_>,
    candidates: &[Candidate],
    service: &Service,
) -> BTreeSet<ResId> {
    let w = workloads(c.inv);
    let mut region_unknown = BTreeSet::new();
    for (region, example) in &w.regions {
        let here = candidates
            .iter()
            .filter(|k| k.region.as_deref().is_ok_and(|r| r == region));
        let mut any = false;
        let mut covered = false;
        for k in here {
            any = true;
            covered |= k.on == Some(true);
        }
        if covered || any {
            continue;
        }
        let doubtful: Vec<&Candidate> = candidates
            .iter()
            .filter(|k| k.region.is_err() && k.on != Some(false))
            .collect();
        if !doubtful.is_empty() {
            region_unknown.extend(doubtful.iter().map(|k| k.id));
            continue;
        }
        let elsewhere: BTreeSet<&str> = candidates
            .iter()
            .filter_map(|k| k.region.as_deref().ok())
            .collect();
        let elsewhere = if elsewhere.is_empty() {
            String::new()
        } else {
            format!(
                "; {} {} in another region ({}) does not cover it: {} is regional",
                article(service.what),
                service.what,
                elsewhere.into_iter().collect::<Vec<_>>().join(", "),
                service.service
            )
        };
        c.missing(
            service.tag,
            service.resource_type,
            format!("{} in {region}", service.what),
            requires(
                format!(
                    "no {} in {region}, where the architecture runs ({example}){elsewhere}",
                    service.what
                ),
                format!("{} in every region it runs in", service.requirement),
            ),
            format!(
                "{} in {region} (with the provider configuration of that region)",
                service.help
            ),
        );
    }
    // With no candidate at all, it is missing wherever the workloads run.
    let unknown = if candidates.is_empty() {
        &[][..]
    } else {
        &w.unknown[..]
    };
    for (id, u) in unknown {
        let what = format!(
            "the region of {} (where {} {} must cover it)",
            c.inv.get(*id).address(),
            article(service.what),
            service.what
        );
        c.unknown(*id, None, &what, u);
    }
    region_unknown
}

/// `a` or `an` before `word`.
fn article(word: &str) -> &'static str {
    if word.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

use crate::declare_rule;
use crate::model::{
    Bucket, BucketReplication, BucketVersioning, Field, KindTag, ReplicationRule, Res, ResId,
    Unknown,
};
use crate::policy::Selector;
use crate::rules::tiers::resolve_one;
use crate::rules::{Check, ALL_SOURCES};

use super::attach::Attached;

declare_rule! {
    /// ## What it checks
    /// The model bucket (`storage.model_bucket`: tag `Purpose = models`, else a name matching
    /// `*model*`) has an `aws_s3_bucket_versioning` with status `Enabled` and an
    /// `aws_s3_bucket_replication_configuration` with an `Enabled` rule whose destination
    /// bucket is in another region (each bucket's region is its provider's region). A
    /// destination outside the inputs is unknown (its ARN does not say its region); so is a
    /// bucket whose region is not known. No model bucket at all is a finding with no
    /// resource. Versioning and replication problems are reported together on the bucket.
    ///
    /// ## Why
    /// The architecture document's "Backup Strategy": "S3 Models: Cross-region replication to
    /// backup region", with an RTO of 30 min and an RPO of 24 hours for "ML Models". S3
    /// replication requires versioning on the source bucket, and only a destination in
    /// another region survives the loss of the primary region.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket_versioning" "models" {
    ///   bucket = aws_s3_bucket.models.id
    ///   versioning_configuration { status = "Suspended" }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket_versioning" "models" {
    ///   bucket = aws_s3_bucket.models.id
    ///   versioning_configuration { status = "Enabled" }
    /// }
    ///
    /// resource "aws_s3_bucket_replication_configuration" "models" {
    ///   depends_on = [aws_s3_bucket_versioning.models]
    ///   bucket     = aws_s3_bucket.models.id
    ///   role       = aws_iam_role.replication.arn
    ///   rule {
    ///     status = "Enabled"
    ///     destination { bucket = aws_s3_bucket.models_backup.arn } # provider = aws.backup
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_21` (versioning) and `CKV_AWS_144` (cross-region replication); Trivy
    /// `AVD-AWS-0090` (versioning); AWS Config `s3-bucket-versioning-enabled` and
    /// `s3-bucket-cross-region-replication-enabled`. They check every bucket; this rule only
    /// the model bucket.
    pub static MODEL_REPLICATION = Rule {
        id: "CB-S3-002",
        name: "s3-model-replication",
        area: Storage,
        severity: Medium,
        sources: ALL_SOURCES,
        check: check,
    };
}

const REQUIREMENT: &str =
    "the architecture requires the model bucket to be versioned and replicated to another region";

/// Whether a bucket is the model bucket, or why that is unknown.
fn is_model(sel: &Selector, b: &Res<'_, Bucket>) -> Result<bool, Unknown> {
    let name = b
        .name
        .get()
        .map(String::as_str)
        .or_else(|| b.resource.tag("Name"));
    let tags = match &b.resource.tags {
        Field::Unknown(u) => {
            return if sel.matches(None, name) {
                Ok(true)
            } else {
                Err(u.clone())
            }
        }
        tags => tags.get(),
    };
    if sel.matches(tags, name) {
        return Ok(true);
    }
    let carried = tags.is_some_and(|t| sel.tags.keys().any(|k| t.contains_key(k)));
    match &b.name {
        Field::Unknown(u) if !carried => Err(u.clone()),
        _ => Ok(false),
    }
}

fn describe(sel: &Selector) -> String {
    let mut parts: Vec<String> = sel
        .tags
        .iter()
        .map(|(k, v)| format!("tag {k} = {v}"))
        .collect();
    if !sel.names.is_empty() {
        parts.push(format!("name {}", sel.names.patterns().join(" or ")));
    }
    parts.join(", or ")
}

/// Problems (fail) or unknowns of one aspect; empty problems and no unknown = fine.
type Aspect = Result<(), Result<String, (String, Unknown)>>;

fn versioning(b: &Res<'_, Bucket>, v: &Attached<'_, BucketVersioning>) -> Aspect {
    let mine = v.of(b.id);
    if mine.iter().any(|c| {
        c.status
            .get()
            .is_some_and(|s| s.eq_ignore_ascii_case("Enabled"))
    }) {
        return Ok(());
    }
    if let Some(why) = mine.iter().find_map(|c| c.status.unknown()) {
        let what = format!("the versioning status of {}", b.address());
        return Err(Err((what, why.clone())));
    }
    match mine.first() {
        Some(c) => Err(Ok(format!(
            "versioning ({}) is {}",
            c.address(),
            c.status.shown()
        ))),
        None => match v.maybe() {
            Some(m) => Err(Err(m)),
            None => Err(Ok("it has no aws_s3_bucket_versioning".to_string())),
        },
    }
}

fn rule_ok(c: &Check<'_>, b: &Res<'_, Bucket>, rule: &ReplicationRule) -> Aspect {
    match &rule.status {
        Field::Known(s) | Field::Sensitive(s) if s.eq_ignore_ascii_case("Enabled") => {}
        Field::Unknown(u) => return Err(Err(("a replication rule's status".into(), u.clone()))),
        other => return Err(Ok(format!("its replication rule is {}", other.shown()))),
    }
    let dest = match resolve_one::<Bucket>(c.inv, &rule.destination) {
        Ok(Some(d)) => d,
        Ok(None) => return Err(Ok("its replication rule has no destination".into())),
        Err(u) => return Err(Err(("the replication destination's region".into(), u))),
    };
    let region_of = |x: &Res<'_, Bucket>| {
        x.resource.provenance.region.clone().ok_or_else(|| {
            let why = Unknown::NotInInputs(format!("the provider region of {}", x.address()));
            Err((format!("the region of {}", x.address()), why))
        })
    };
    let (src, dst) = (region_of(b)?, region_of(&dest)?);
    if src.eq_ignore_ascii_case(&dst) {
        return Err(Ok(format!(
            "it replicates to {} in its own region {dst}",
            dest.address()
        )));
    }
    Ok(())
}

fn replication(c: &Check<'_>, b: &Res<'_, Bucket>, r: &Attached<'_, BucketReplication>) -> Aspect {
    let mine = r.of(b.id);
    let mut first: Option<Aspect> = None;
    let mut unknown: Option<Aspect> = None;
    for config in mine {
        let rules = match &config.rules {
            Field::Known(rules) | Field::Sensitive(rules) => rules,
            Field::Unknown(u) => {
                let what = format!("the rules of {}", config.address());
                unknown.get_or_insert(Err(Err((what, u.clone()))));
                continue;
            }
            Field::Absent => continue,
        };
        for rule in rules {
            match rule_ok(c, b, rule) {
                Ok(()) => return Ok(()),
                Err(Err(u)) => {
                    unknown.get_or_insert(Err(Err(u)));
                }
                Err(Ok(p)) => {
                    first.get_or_insert(Err(Ok(p)));
                }
            }
        }
    }
    if let Some(u) = unknown {
        return u;
    }
    if let Some(p) = first {
        return p;
    }
    if !mine.is_empty() {
        return Err(Ok("its replication configuration has no rule".into()));
    }
    match r.maybe() {
        Some(m) => Err(Err(m)),
        None => Err(Ok(
            "it has no aws_s3_bucket_replication_configuration".into()
        )),
    }
}

/// Buckets that are the destination of a replication rule: replicas, not the model bucket.
fn replica_ids(c: &Check<'_>) -> Vec<ResId> {
    let mut ids = Vec::new();
    for config in c.inv.all::<BucketReplication>() {
        for rule in config.rules.get().into_iter().flatten() {
            if let Ok(Some(d)) = resolve_one::<Bucket>(c.inv, &rule.destination) {
                ids.push(d.id);
            }
        }
    }
    ids
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    let sel = &c.policy.storage.model_bucket;
    let replicas = replica_ids(c);
    let mut models = Vec::new();
    let mut undecided = Vec::new();
    for b in inv.all::<Bucket>().filter(|b| !replicas.contains(&b.id)) {
        match is_model(sel, &b) {
            Ok(true) => models.push(b),
            Ok(false) => {}
            Err(u) => undecided.push((b, u)),
        }
    }
    if models.is_empty() {
        if undecided.is_empty() {
            c.missing(
                KindTag::Bucket,
                "aws_s3_bucket",
                "model bucket",
                format!("no S3 bucket is the model bucket ({}); {REQUIREMENT}", describe(sel)),
                "tag the model bucket Purpose = \"models\" (or declare it), versioned and replicated",
            );
        }
        for (b, u) in undecided {
            c.unknown(b.id, Some("tags"), "whether this is the model bucket", &u);
        }
        return;
    }
    let versions = Attached::<BucketVersioning>::collect(inv, |v| &v.bucket);
    let replications = Attached::<BucketReplication>::collect(inv, |r| &r.bucket);
    for b in models {
        let aspects = [versioning(&b, &versions), replication(c, &b, &replications)];
        let problems: Vec<&String> = aspects
            .iter()
            .filter_map(|a| a.as_ref().err()?.as_ref().ok())
            .collect();
        let unknown = aspects
            .iter()
            .find_map(|a| a.as_ref().err()?.as_ref().err());
        if !problems.is_empty() {
            let list: Vec<&str> = problems.iter().map(|s| s.as_str()).collect();
            c.fail(
                b.id,
                None,
                format!("model bucket {}: {}; {REQUIREMENT}", b.address(), list.join(", and ")),
                "enable aws_s3_bucket_versioning and add an aws_s3_bucket_replication_configuration \
                 with an Enabled rule to a bucket in the backup region",
            );
        } else if let Some((what, why)) = unknown {
            c.unknown(b.id, None, what, why);
        } else {
            c.pass(b.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, Inventory, RefTarget, Resource};
    use crate::rules::testing::run;

    fn bucket(inv: &mut Inventory, name: &str, region: Option<&str>) {
        let b = Bucket {
            name: Field::Known(name.into()),
        };
        let mut r = Resource::new("aws_s3_bucket", format!("aws_s3_bucket.{name}"), b)
            .with_identifiers([name.to_string(), format!("arn:aws:s3:::{name}")]);
        r.provenance.region = region.map(str::to_string);
        inv.push(r);
    }

    fn versioned(inv: &mut Inventory, name: &str, status: &str) {
        let v = BucketVersioning {
            bucket: Field::Known(vec![RefTarget::Address(format!("aws_s3_bucket.{name}"))]),
            status: Field::Known(status.into()),
        };
        inv.push(Resource::new(
            "aws_s3_bucket_versioning",
            format!("aws_s3_bucket_versioning.{name}"),
            v,
        ));
    }

    fn replicated(inv: &mut Inventory, name: &str, status: &str, dest: RefTarget) {
        let r = BucketReplication {
            bucket: Field::Known(vec![ident(name)]),
            rules: Field::Known(vec![ReplicationRule {
                status: Field::Known(status.into()),
                destination: Field::Known(vec![dest]),
            }]),
        };
        let addr = format!("aws_s3_bucket_replication_configuration.{name}");
        inv.push(Resource::new(
            "aws_s3_bucket_replication_configuration",
            addr,
            r,
        ));
    }

    fn setup(dest_region: Option<&str>) -> Inventory {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models", Some("eu-west-2"));
        bucket(&mut inv, "models-replica", dest_region);
        versioned(&mut inv, "models", "Enabled");
        replicated(
            &mut inv,
            "models",
            "Enabled",
            ident("arn:aws:s3:::models-replica"),
        );
        inv
    }

    #[test]
    fn versioned_and_replicated_elsewhere_passes() {
        let out = run(&MODEL_REPLICATION, &setup(Some("eu-west-1")));
        assert_eq!(out.passes(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.fails().is_empty() && out.unknowns().is_empty(),
            "replica is not a model bucket"
        );
    }

    #[test]
    fn same_region_fails_and_unknown_region_is_unknown() {
        let out = run(&MODEL_REPLICATION, &setup(Some("EU-WEST-2")));
        assert_eq!(out.fails(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.messages()[0].contains("own region"),
            "{:?}",
            out.messages()
        );
        let out = run(&MODEL_REPLICATION, &setup(None));
        assert_eq!(out.unknowns(), vec!["aws_s3_bucket.models"]);
    }

    #[test]
    fn suspended_versioning_and_no_replication_fail_together() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "ml-models", Some("eu-west-2"));
        versioned(&mut inv, "ml-models", "Suspended");
        let out = run(&MODEL_REPLICATION, &inv);
        assert_eq!(out.fails(), vec!["aws_s3_bucket.ml-models"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("Suspended") && msg.contains("no aws_s3_bucket_replication"),
            "{msg}"
        );
        assert!(msg.contains("another region"), "{msg}");
    }

    #[test]
    fn external_destination_is_unknown_and_disabled_rule_fails() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models", Some("eu-west-2"));
        versioned(&mut inv, "models", "Enabled");
        replicated(
            &mut inv,
            "models",
            "Enabled",
            ident("arn:aws:s3:::elsewhere"),
        );
        assert_eq!(
            run(&MODEL_REPLICATION, &inv).unknowns(),
            vec!["aws_s3_bucket.models"]
        );
        let mut inv = Inventory::new();
        bucket(&mut inv, "models", Some("eu-west-2"));
        bucket(&mut inv, "backup", Some("us-east-1"));
        versioned(&mut inv, "models", "Enabled");
        replicated(&mut inv, "models", "Disabled", ident("backup"));
        let out = run(&MODEL_REPLICATION, &inv);
        assert_eq!(out.fails(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.messages()[0].contains("Disabled"),
            "{:?}",
            out.messages()
        );
    }

    #[test]
    fn selection_by_tag_missing_and_unknown() {
        let mut inv = Inventory::new();
        let b = Bucket {
            name: Field::Known("artifacts".into()),
        };
        inv.push(
            Resource::new("aws_s3_bucket", "aws_s3_bucket.a", b).with_tags([("Purpose", "models")]),
        );
        assert_eq!(
            run(&MODEL_REPLICATION, &inv).fails(),
            vec!["aws_s3_bucket.a"]
        );

        let mut inv = Inventory::new();
        bucket(&mut inv, "logs", None);
        let out = run(&MODEL_REPLICATION, &inv);
        assert_eq!(out.fails(), vec!["missing:model bucket"]);
        assert!(
            out.messages()[0].contains("Purpose = models"),
            "{:?}",
            out.messages()
        );

        let mut inv = Inventory::new();
        let b = Bucket {
            name: Field::Unknown(Unknown::AfterApply),
        };
        inv.push(Resource::new("aws_s3_bucket", "aws_s3_bucket.p", b));
        assert_eq!(
            run(&MODEL_REPLICATION, &inv).unknowns(),
            vec!["aws_s3_bucket.p"]
        );
    }
}

use crate::declare_rule;
use crate::model::{
    Bucket, BucketReplication, BucketVersioning, Field, Kind, ReplicationRule, Unknown, View,
};
use crate::rules::Check;

use super::model_bucket::{describe, select, Selection};
use crate::rules::attached::Attached;

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
    /// The legacy inline blocks of `aws_s3_bucket` count as the separate resources:
    /// `versioning { enabled = true }` is `Enabled` (`false` leaves it suspended) and
    /// `replication_configuration { rules { … } }` holds replication rules. With both an
    /// inline block and the separate resource, AWS keeps the one applied last (the
    /// provider's `aws_s3_bucket` docs: "Configuring with both will cause inconsistencies
    /// and may overwrite configuration"): agreeing, they are judged; one passing and the
    /// other failing is unknown with that reason.
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
    /// ## Live accounts
    /// Read with `s3:GetBucketVersioning`, `s3:GetReplicationConfiguration` and
    /// `s3:GetBucketLocation` (each bucket's region). moto 5.2.5, the tests' AWS, answers
    /// GetBucketVersioning with the root element `GetBucketVersioningResponse` where S3 sends
    /// `VersioningConfiguration` (the Rust SDK rejects it): the test proxy mends that one
    /// element; everything else is moto's answer.
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_21` (versioning) and `CKV_AWS_144` (cross-region replication); Trivy
    /// `AVD-AWS-0090` (versioning); AWS Config `s3-bucket-versioning-enabled` and
    /// `s3-bucket-cross-region-replication-enabled`. They check every bucket; this rule only
    /// the model bucket.
    pub static S3_MODEL_REPLICATION = Rule {
        id: "CB-S3-002",
        name: "s3-model-replication",
        area: Storage,
        severity: Medium,
        scope: Architecture,
        check: check,
    };
}

const REQUIREMENT: &str =
    "the architecture requires the model bucket to be versioned and replicated to another region";

/// Problems (fail) or unknowns of one aspect; empty problems and no unknown = fine.
type Aspect = Result<(), Result<String, (String, Unknown)>>;

/// The inline block and a separate resource both write the bucket's one configuration:
/// AWS keeps whichever Terraform applied last, and every apply rewrites it. When one passes
/// and the other fails, the verdict is not knowable.
fn settle(what: &str, other: &str, inline: Aspect, separate: Aspect) -> Aspect {
    match (&inline, &separate) {
        (Ok(()), Ok(())) => Ok(()),
        (Ok(()), Err(Ok(_))) | (Err(Ok(_)), Ok(())) => Err(Err((
            format!("the {what}"),
            Unknown::Unresolved(format!(
                "the inline `{what}` block and {other} both set it and disagree; AWS keeps \
                 the one applied last"
            )),
        ))),
        (Err(Err(_)), _) => inline,
        _ => separate,
    }
}

fn versioning(b: &View<'_, Bucket>, v: &Attached<'_, BucketVersioning, Bucket>) -> Aspect {
    let mine = v.of(b.id);
    let inline = match b.inline.versioning.value() {
        Ok(None) => None,
        Err(u) => Some(Err(Err((
            format!("the inline versioning of {}", b.address()),
            u.clone(),
        )))),
        Ok(Some(s)) if s.eq_ignore_ascii_case("Enabled") => Some(Ok(())),
        Ok(Some(s)) => Some(Err(Ok(format!(
            "its inline versioning block leaves versioning {s}"
        )))),
    };
    let separate = if mine.is_empty() {
        None
    } else {
        Some(separate_versioning(b, mine))
    };
    match (inline, separate) {
        (Some(i), Some(s)) => settle("versioning", mine[0].address(), i, s),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => match v.maybe() {
            Some(m) => Err(Err(m)),
            None => Err(Ok("it has no aws_s3_bucket_versioning".to_string())),
        },
    }
}

fn separate_versioning(b: &View<'_, Bucket>, mine: &[View<'_, BucketVersioning>]) -> Aspect {
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
    let c = &mine[0];
    Err(Ok(format!(
        "versioning ({}) is {}",
        c.address(),
        c.status.shown()
    )))
}

fn rule_ok(c: &Check<'_>, b: &View<'_, Bucket>, rule: &ReplicationRule) -> Aspect {
    match rule.status.value() {
        Ok(Some(s)) if s.eq_ignore_ascii_case("Enabled") => {}
        Err(u) => return Err(Err(("a replication rule's status".into(), u.clone()))),
        Ok(_) => {
            return Err(Ok(format!(
                "its replication rule is {}",
                rule.status.shown()
            )))
        }
    }
    let dest = match c.inv.resolve_one::<Bucket>(&rule.destination) {
        Ok(Some(d)) => d,
        Ok(None) => return Err(Ok("its replication rule has no destination".into())),
        Err(u) => return Err(Err(("the replication destination's region".into(), u))),
    };
    let region_of = |x: &View<'_, Bucket>| {
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

fn replication(
    c: &Check<'_>,
    b: &View<'_, Bucket>,
    r: &Attached<'_, BucketReplication, Bucket>,
) -> Aspect {
    let mine = r.of(b.id);
    let inline_label = format!("the inline replication_configuration of {}", b.address());
    let inline = match &b.inline.replication {
        Field::Absent => None,
        rules => Some(configured_rules(c, b, [(inline_label.as_str(), rules)])),
    };
    let separate = if mine.is_empty() {
        None
    } else {
        Some(configured_rules(
            c,
            b,
            mine.iter().map(|config| (config.address(), &config.rules)),
        ))
    };
    match (inline, separate) {
        (Some(i), Some(s)) => settle("replication_configuration", mine[0].address(), i, s),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => match r.maybe() {
            Some(m) => Err(Err(m)),
            None => Err(Ok(
                "it has no aws_s3_bucket_replication_configuration".into()
            )),
        },
    }
}

/// Whether any rule of the configurations replicates to another region.
fn configured_rules<'r>(
    c: &Check<'_>,
    b: &View<'_, Bucket>,
    configs: impl IntoIterator<Item = (&'r str, &'r Field<Vec<ReplicationRule>>)>,
) -> Aspect {
    let mut first: Option<Aspect> = None;
    let mut unknown: Option<Aspect> = None;
    for (label, rules) in configs {
        let rules = match rules.value() {
            Ok(Some(rules)) => rules,
            Err(u) => {
                let what = format!("the rules of {label}");
                unknown.get_or_insert(Err(Err((what, u.clone()))));
                continue;
            }
            Ok(None) => continue,
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
    Err(Ok("its replication configuration has no rule".into()))
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    let sel = &c.policy.storage.model_bucket;
    let Selection { models, undecided } = select(inv, sel);
    if models.is_empty() {
        if undecided.is_empty() {
            c.missing(
                Kind::Bucket,
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
    let versions = Attached::<BucketVersioning, Bucket>::collect(inv, |v| &v.bucket);
    let replications = Attached::<BucketReplication, Bucket>::collect(inv, |r| &r.bucket);
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
    use crate::model::{ident, Inventory, RefTarget};
    use crate::rules::s3::testkit::bucket;
    use crate::rules::testing::{res, run};

    fn versioned(inv: &mut Inventory, name: &str, status: &str) {
        let v = BucketVersioning {
            bucket: Field::Known(vec![RefTarget::Address(format!("aws_s3_bucket.{name}"))]),
            status: Field::Known(status.into()),
        };
        inv.push(res(format!("aws_s3_bucket_versioning.{name}"), v));
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
        inv.push(res(addr, r));
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
        let out = run(&S3_MODEL_REPLICATION, &setup(Some("eu-west-1")));
        assert_eq!(out.passes(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.fails().is_empty() && out.unknowns().is_empty(),
            "replica is not a model bucket"
        );
    }

    #[test]
    fn same_region_fails_and_unknown_region_is_unknown() {
        let out = run(&S3_MODEL_REPLICATION, &setup(Some("EU-WEST-2")));
        assert_eq!(out.fails(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.messages()[0].contains("own region"),
            "{:?}",
            out.messages()
        );
        let out = run(&S3_MODEL_REPLICATION, &setup(None));
        assert_eq!(out.unknowns(), vec!["aws_s3_bucket.models"]);
    }

    #[test]
    fn suspended_versioning_and_no_replication_fail_together() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "ml-models", Some("eu-west-2"));
        versioned(&mut inv, "ml-models", "Suspended");
        let out = run(&S3_MODEL_REPLICATION, &inv);
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
            run(&S3_MODEL_REPLICATION, &inv).unknowns(),
            vec!["aws_s3_bucket.models"]
        );
        let mut inv = Inventory::new();
        bucket(&mut inv, "models", Some("eu-west-2"));
        bucket(&mut inv, "backup", Some("us-east-1"));
        versioned(&mut inv, "models", "Enabled");
        replicated(&mut inv, "models", "Disabled", ident("backup"));
        let out = run(&S3_MODEL_REPLICATION, &inv);
        assert_eq!(out.fails(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.messages()[0].contains("Disabled"),
            "{:?}",
            out.messages()
        );
    }

    #[test]
    fn no_model_bucket_is_missing() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "logs", None);
        let out = run(&S3_MODEL_REPLICATION, &inv);
        assert_eq!(out.fails(), vec!["missing:model bucket"]);
        let msg = out.messages()[0];
        assert!(
            msg.contains("Purpose = models") && msg.contains("another region"),
            "{msg}"
        );
    }

    /// A model bucket whose versioning and replication are legacy inline blocks.
    fn inline_setup(versioning: &str) -> Inventory {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models-replica", Some("eu-west-1"));
        let b = Bucket {
            name: Field::Known("models".into()),
            inline: crate::model::BucketInline {
                versioning: Field::Known(versioning.into()),
                replication: Field::Known(vec![ReplicationRule {
                    status: Field::Known("Enabled".into()),
                    destination: Field::Known(vec![ident("arn:aws:s3:::models-replica")]),
                }]),
                ..Default::default()
            },
        };
        let mut r = res("aws_s3_bucket.models", b).with_identifiers(["models"]);
        r.provenance.region = Some("eu-west-2".into());
        inv.push(r);
        inv
    }

    #[test]
    fn inline_blocks_count_as_the_separate_resources() {
        let out = run(&S3_MODEL_REPLICATION, &inline_setup("Enabled"));
        assert_eq!(out.passes(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.fails().is_empty() && out.unknowns().is_empty(),
            "{:?}",
            out.messages()
        );
        let out = run(&S3_MODEL_REPLICATION, &inline_setup("Suspended"));
        assert_eq!(out.fails(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.messages()[0].contains("inline versioning block"),
            "{:?}",
            out.messages()
        );
    }

    #[test]
    fn inline_and_separate_versioning_disagreeing_is_unknown() {
        let mut inv = inline_setup("Enabled");
        versioned(&mut inv, "models", "Suspended");
        let out = run(&S3_MODEL_REPLICATION, &inv);
        assert_eq!(out.unknowns(), vec!["aws_s3_bucket.models"]);
        assert!(
            out.messages()[0].contains("disagree"),
            "{:?}",
            out.messages()
        );
        let mut inv = inline_setup("Enabled");
        versioned(&mut inv, "models", "Enabled");
        assert_eq!(
            run(&S3_MODEL_REPLICATION, &inv).passes(),
            vec!["aws_s3_bucket.models"]
        );
    }
}

//! Seeds S3 and Secrets Manager from the plan: buckets (each in its provider's region; the
//! plan's main region becomes the test region) with their tags, versioning, encryption,
//! public access blocks and replication; secrets (names and tags, a dummy value).

use std::collections::HashMap;

use aws_config::Region;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration, Destination,
    PublicAccessBlockConfiguration, ReplicationConfiguration, ReplicationRule,
    ReplicationRuleFilter, ReplicationRuleStatus, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tag, Tagging, VersioningConfiguration,
};
use aws_sdk_s3::Client;
use cbaudit::model::{
    Bucket, BucketEncryption, BucketPublicAccessBlock, BucketReplication, BucketVersioning, Field,
    Refs, ResId, Resource, Secret,
};

use super::seed::Seeder;
use super::seed_identity::ok;

/// The region a plan resource lives in live: its provider's, except that the plan's main
/// region (the one most resources use) and the test region trade places.
pub fn live_region(s: &Seeder, r: &Resource) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for res in s.plan.resources() {
        if let Some(region) = &res.provenance.region {
            *counts.entry(region.as_str()).or_default() += 1;
        }
    }
    let main = counts.into_iter().max_by_key(|(_, n)| *n).map(|(r, _)| r);
    match (r.provenance.region.as_deref(), main) {
        (Some(region), Some(main)) if region == s.region && main != s.region => main.to_string(),
        (Some(region), _) if Some(region) != main => region.to_string(),
        _ => s.region.clone(),
    }
}

fn client(s: &Seeder, region: &str) -> Client {
    let conf = aws_sdk_s3::config::Builder::from(&s.sdk)
        .region(Region::new(region.to_string()))
        .force_path_style(true)
        .build();
    Client::from_conf(conf)
}

pub async fn seed(s: &mut Seeder) {
    buckets(s).await;
    secrets(s).await;
}

async fn buckets(s: &mut Seeder) {
    // Buckets: name → (region, ARN).
    let mut made: HashMap<String, (String, String)> = HashMap::new();
    let plan: Vec<(ResId, String, String, Vec<Tag>)> = s
        .plan
        .all::<Bucket>()
        .filter_map(|b| {
            let tags = b.resource.tags.get().into_iter().flatten();
            let tags = tags.filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok());
            Some((
                b.id,
                b.name.get()?.clone(),
                live_region(s, b.resource),
                tags.collect(),
            ))
        })
        .collect();
    for (id, name, region, tags) in plan {
        let mut create = client(s, &region).create_bucket().bucket(&name);
        if region != "us-east-1" {
            let constraint = BucketLocationConstraint::from(region.as_str());
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(constraint)
                    .build(),
            );
        }
        if ok(&format!("CreateBucket {name}"), create.send().await).is_none() {
            continue;
        }
        if !tags.is_empty() {
            let tagging = Tagging::builder().set_tag_set(Some(tags)).build().ok();
            let put = client(s, &region)
                .put_bucket_tagging()
                .bucket(&name)
                .set_tagging(tagging)
                .send()
                .await;
            ok(&format!("PutBucketTagging {name}"), put);
        }
        let arn = format!("arn:aws:s3:::{name}");
        s.created(id, name.clone());
        s.owns(arn.clone(), id);
        made.insert(name, (region, arn));
    }
    // The live buckets a plan reference names: (name, region, ARN).
    let targets = |s: &Seeder, refs: &Refs| -> Vec<(String, String, String)> {
        s.ids::<Bucket>(refs)
            .into_iter()
            .filter_map(|n| made.get(&n).map(|(r, a)| (n.clone(), r.clone(), a.clone())))
            .collect()
    };

    let versionings = s.plan_all::<BucketVersioning>();
    for (id, v) in versionings {
        let status = match v.status.get().map(String::as_str) {
            Some(st) if st.eq_ignore_ascii_case("Enabled") => BucketVersioningStatus::Enabled,
            Some(st) if st.eq_ignore_ascii_case("Suspended") => BucketVersioningStatus::Suspended,
            _ => continue, // Disabled: a bucket never versioned has no configuration.
        };
        for (name, region, arn) in targets(s, &v.bucket) {
            let put = client(s, &region)
                .put_bucket_versioning()
                .bucket(&name)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(status.clone())
                        .build(),
                )
                .send()
                .await;
            if ok(&format!("PutBucketVersioning {name}"), put).is_some() {
                s.owns(format!("{arn}/versioning"), id);
            }
        }
    }

    let encryptions = s.plan_all::<BucketEncryption>();
    for (id, e) in encryptions {
        let rules: Vec<ServerSideEncryptionRule> = e
            .algorithms
            .get()
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let by_default = ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::from(a.as_str()))
                    .build()
                    .ok()?;
                Some(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(by_default)
                        .build(),
                )
            })
            .collect();
        let Ok(config) = ServerSideEncryptionConfiguration::builder()
            .set_rules(Some(rules))
            .build()
        else {
            continue;
        };
        for (name, region, arn) in targets(s, &e.bucket) {
            let put = client(s, &region)
                .put_bucket_encryption()
                .bucket(&name)
                .server_side_encryption_configuration(config.clone())
                .send()
                .await;
            if ok(&format!("PutBucketEncryption {name}"), put).is_some() {
                s.owns(format!("{arn}/encryption"), id);
            }
        }
    }

    let blocks = s.plan_all::<BucketPublicAccessBlock>();
    for (id, b) in blocks {
        let flag = |f: &Field<bool>| f.get().copied().unwrap_or(false);
        let config = PublicAccessBlockConfiguration::builder()
            .block_public_acls(flag(&b.flags.block_public_acls))
            .block_public_policy(flag(&b.flags.block_public_policy))
            .ignore_public_acls(flag(&b.flags.ignore_public_acls))
            .restrict_public_buckets(flag(&b.flags.restrict_public_buckets))
            .build();
        for (name, region, arn) in targets(s, &b.bucket) {
            let put = client(s, &region)
                .put_public_access_block()
                .bucket(&name)
                .public_access_block_configuration(config.clone())
                .send()
                .await;
            if ok(&format!("PutPublicAccessBlock {name}"), put).is_some() {
                s.owns(format!("{arn}/public-access-block"), id);
            }
        }
    }

    let replications = s.plan_all::<BucketReplication>();
    let role = format!("arn:aws:iam::{}:role/seeded-s3-replication", s.account);
    for (id, r) in replications {
        let mut rules = Vec::new();
        for (i, rule) in r.rules.get().into_iter().flatten().enumerate() {
            let status = match rule.status.get().map(String::as_str) {
                Some(st) if st.eq_ignore_ascii_case("Enabled") => ReplicationRuleStatus::Enabled,
                _ => ReplicationRuleStatus::Disabled,
            };
            // The destination: a seeded bucket's ARN, or the identifier the plan gives.
            let dest = s
                .ids::<Bucket>(&rule.destination)
                .into_iter()
                .next()
                .map(|d| made.get(&d).map_or(d.clone(), |(_, arn)| arn.clone()));
            let Some(dest) = dest else { continue };
            let built = ReplicationRule::builder()
                .id(format!("rule-{i}"))
                .priority(i as i32 + 1)
                .filter(ReplicationRuleFilter::builder().prefix("").build())
                .status(status)
                .set_destination(Destination::builder().bucket(dest).build().ok())
                .build();
            rules.extend(built.ok());
        }
        let Ok(config) = ReplicationConfiguration::builder()
            .role(&role)
            .set_rules(Some(rules))
            .build()
        else {
            continue;
        };
        for (name, region, arn) in targets(s, &r.bucket) {
            let put = client(s, &region)
                .put_bucket_replication()
                .bucket(&name)
                .replication_configuration(config.clone())
                .send()
                .await;
            if ok(&format!("PutBucketReplication {name}"), put).is_some() {
                s.owns(format!("{arn}/replication"), id);
            }
        }
    }
}

async fn secrets(s: &mut Seeder) {
    let plan: Vec<(
        ResId,
        String,
        String,
        Vec<aws_sdk_secretsmanager::types::Tag>,
    )> = s
        .plan
        .all::<Secret>()
        .filter_map(|x| {
            let tags = x.resource.tags.get().into_iter().flatten();
            let tags = tags.map(|(k, v)| {
                aws_sdk_secretsmanager::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
            });
            Some((
                x.id,
                x.name.get()?.clone(),
                live_region(s, x.resource),
                tags.collect(),
            ))
        })
        .collect();
    for (id, name, region, tags) in plan {
        let conf = aws_sdk_secretsmanager::config::Builder::from(&s.sdk)
            .region(Region::new(region))
            .build();
        let created = aws_sdk_secretsmanager::Client::from_conf(conf)
            .create_secret()
            .name(&name)
            .secret_string("seeded")
            .set_tags(Some(tags))
            .send()
            .await;
        if let Some(arn) =
            ok(&format!("CreateSecret {name}"), created).and_then(|o| o.arn().map(str::to_string))
        {
            s.created(id, arn.clone());
            s.owns(arn, id);
        }
    }
}

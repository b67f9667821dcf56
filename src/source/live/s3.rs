//! S3 (global bucket list): buckets and their configurations, one resource per configured
//! aspect, mapped like `aws_s3_bucket`, `aws_s3_bucket_versioning`,
//! `aws_s3_bucket_server_side_encryption_configuration`, `aws_s3_bucket_public_access_block`
//! and `aws_s3_bucket_replication_configuration`.
//!
//! Calls (IAM actions): `s3:ListAllMyBuckets` (ListBuckets), then per bucket, in the bucket's
//! region: `s3:GetBucketLocation` (when ListBuckets gives no region),
//! `s3:GetBucketTagging`, `s3:GetEncryptionConfiguration` (GetBucketEncryption),
//! `s3:GetBucketVersioning`, `s3:GetReplicationConfiguration` (GetBucketReplication) and
//! `s3:GetBucketPublicAccessBlock` (GetPublicAccessBlock).
//!
//! An aspect that is not configured (no encryption configuration, versioning never enabled,
//! no replication, no public access block) has no resource, like a plan without the
//! Terraform resource; one that could not be read has a resource whose values are unknown.
//! Addresses: the bucket's ARN, and `<bucket ARN>/versioning`, `/encryption`,
//! `/public-access-block`, `/replication`. Each resource's region is the bucket's.

use aws_config::Region;
use aws_sdk_s3::types::Bucket as S3Bucket;
use aws_sdk_s3::Client;

use crate::model::{
    ident, Body, Bucket, BucketEncryption, BucketPublicAccessBlock, BucketReplication,
    BucketVersioning, Field, Kind, PublicAccessBlockFlags, Refs, ReplicationRule, Tags,
};

use super::calls::{bounded, merge};
use super::ctx::{is_code, known, tags, why};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[
    Kind::Bucket,
    Kind::BucketVersioning,
    Kind::BucketEncryption,
    Kind::BucketPublicAccessBlock,
    Kind::BucketReplication,
];

/// A client for `region` (the scan's when `None`), with the recorder attached.
fn s3(ctx: &Ctx, region: Option<&str>) -> Client {
    let mut conf = aws_sdk_s3::config::Builder::from(&ctx.sdk)
        .interceptor(ctx.recorder.clone())
        .force_path_style(ctx.endpoint_override);
    if let Some(r) = region {
        conf = conf.region(Region::new(r.to_string()));
    }
    Client::from_conf(conf.build())
}

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let client = s3(ctx, None);
    let pages = client.list_buckets().into_paginator().send();
    let pages = out.drain(pages, KINDS, "s3:ListAllMyBuckets").await;
    let buckets = pages.iter().flat_map(|p| p.buckets().iter().cloned());
    let batches = bounded(buckets.collect(), |b| {
        bucket(ctx.clone(), client.clone(), b)
    })
    .await;
    merge(out, batches);
}

/// The region a `LocationConstraint` names (none: us-east-1; `EU`: eu-west-1).
fn region_of(constraint: &str) -> String {
    match constraint {
        "" => "us-east-1".to_string(),
        "EU" => "eu-west-1".to_string(),
        other => other.to_string(),
    }
}

async fn bucket(ctx: Ctx, client: Client, b: S3Bucket) -> Batch {
    let mut out = Batch::default();
    let Some(name) = b.name() else {
        return out;
    };
    let arn = b.bucket_arn().map_or_else(
        || format!("arn:{}:s3:::{name}", ctx.partition),
        str::to_string,
    );
    let region = match b.bucket_region() {
        Some(r) => Some(r.to_string()),
        None => match client.get_bucket_location().bucket(name).send().await {
            Ok(o) => Some(region_of(
                o.location_constraint().map_or("", |c| c.as_str()),
            )),
            // Unknown region: the rules that need it say so (`provenance.region` unset).
            Err(_) => None,
        },
    };
    let client = match &region {
        Some(r) if *r != ctx.region => s3(&ctx, Some(r)),
        _ => client,
    };
    let on = || -> Refs { Field::Known(vec![ident(name)]) };

    let tags = match client.get_bucket_tagging().bucket(name).send().await {
        Ok(o) => tags(o.tag_set().iter().map(|t| (Some(t.key()), Some(t.value())))),
        Err(e) if is_code(&e, &["NoSuchTagSet", "NoSuchTagSetError"]) => Field::Known(Tags::new()),
        Err(e) => Field::Unknown(why("s3:GetBucketTagging", &e)),
    };
    let model = Bucket {
        name: Field::Known(name.to_string()),
        ..Bucket::default()
    };
    let mut r = ctx.resource(
        "aws_s3_bucket",
        arn.clone(),
        vec![name.to_string()],
        tags,
        model,
    );
    r.provenance.region = region.clone();
    out.push(r);

    let versioning = match client.get_bucket_versioning().bucket(name).send().await {
        Ok(o) => o.status().map(|s| Field::Known(s.as_str().to_string())),
        Err(e) => Some(Field::Unknown(why("s3:GetBucketVersioning", &e))),
    };
    let versioning = versioning.map(|status| BucketVersioning {
        bucket: on(),
        status,
    });

    let encryption = match client.get_bucket_encryption().bucket(name).send().await {
        Ok(o) => Some(Field::Known(
            o.server_side_encryption_configuration()
                .map(|c| c.rules())
                .unwrap_or_default()
                .iter()
                .filter_map(|r| r.apply_server_side_encryption_by_default())
                .map(|d| d.sse_algorithm().as_str().to_string())
                .collect(),
        )),
        Err(e) if is_code(&e, &["ServerSideEncryptionConfigurationNotFoundError"]) => None,
        Err(e) => Some(Field::Unknown(why("s3:GetEncryptionConfiguration", &e))),
    };
    let encryption = encryption.map(|algorithms| BucketEncryption {
        bucket: on(),
        algorithms,
    });

    let block = match client.get_public_access_block().bucket(name).send().await {
        Ok(o) => {
            let c = o.public_access_block_configuration();
            Some(PublicAccessBlockFlags {
                block_public_acls: known(c.and_then(|c| c.block_public_acls())),
                block_public_policy: known(c.and_then(|c| c.block_public_policy())),
                ignore_public_acls: known(c.and_then(|c| c.ignore_public_acls())),
                restrict_public_buckets: known(c.and_then(|c| c.restrict_public_buckets())),
            })
        }
        Err(e) if is_code(&e, &["NoSuchPublicAccessBlockConfiguration"]) => None,
        Err(e) => {
            let u = Field::Unknown(why("s3:GetBucketPublicAccessBlock", &e));
            Some(PublicAccessBlockFlags {
                block_public_acls: u.clone(),
                block_public_policy: u.clone(),
                ignore_public_acls: u.clone(),
                restrict_public_buckets: u,
            })
        }
    };
    let block = block.map(|flags| BucketPublicAccessBlock {
        bucket: on(),
        flags,
    });

    let replication = match client.get_bucket_replication().bucket(name).send().await {
        Ok(o) => Some(Field::Known(
            o.replication_configuration()
                .map(|c| c.rules())
                .unwrap_or_default()
                .iter()
                .map(|r| ReplicationRule {
                    status: Field::Known(r.status().as_str().to_string()),
                    destination: match r.destination().map(|d| d.bucket()) {
                        Some(dest) if !dest.is_empty() => Field::Known(vec![ident(dest)]),
                        _ => Field::Absent,
                    },
                })
                .collect(),
        )),
        Err(e) if is_code(&e, &["ReplicationConfigurationNotFoundError"]) => None,
        Err(e) => Some(Field::Unknown(why("s3:GetReplicationConfiguration", &e))),
    };
    let replication = replication.map(|rules| BucketReplication {
        bucket: on(),
        rules,
    });

    let aspects: [(&str, &str, Option<Body>); 4] = [
        (
            "aws_s3_bucket_versioning",
            "versioning",
            versioning.map(Body::from),
        ),
        (
            "aws_s3_bucket_server_side_encryption_configuration",
            "encryption",
            encryption.map(Body::from),
        ),
        (
            "aws_s3_bucket_public_access_block",
            "public-access-block",
            block.map(Body::from),
        ),
        (
            "aws_s3_bucket_replication_configuration",
            "replication",
            replication.map(Body::from),
        ),
    ];
    for (resource_type, path, kind) in aspects {
        if let Some(kind) = kind {
            let address = format!("{arn}/{path}");
            let mut r = ctx.resource(
                resource_type,
                address,
                vec![],
                Field::Known(Tags::new()),
                kind,
            );
            r.provenance.region = region.clone();
            out.push(r);
        }
    }
    out
}

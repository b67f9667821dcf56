//! RDS: DB instances, DB clusters, DB subnet groups, DB parameter groups and DB cluster
//! parameter groups, mapped like `aws_db_instance` / `aws_rds_cluster_instance`,
//! `aws_rds_cluster`, `aws_db_subnet_group`, `aws_db_parameter_group` and
//! `aws_rds_cluster_parameter_group`.
//!
//! Calls (IAM actions): `rds:DescribeDBInstances`, `rds:DescribeDBClusters`,
//! `rds:DescribeDBSubnetGroups`, `rds:DescribeDBParameterGroups`, `rds:DescribeDBParameters`
//! (per group, `Source=user`: the parameters the group sets, as a Terraform `parameter`
//! block does), `rds:DescribeDBClusterParameterGroups`, `rds:DescribeDBClusterParameters`
//! (per group, likewise) and `rds:ListTagsForResource` (per group; instances and clusters
//! carry their `TagList`).
//!
//! A cluster member instance links to its cluster (`DBClusterIdentifier`), a read replica to
//! its source (`ReadReplicaSourceDBInstanceIdentifier`: a name in the same region, an ARN
//! across regions). DocumentDB and Neptune clusters and their instances (served by the same
//! API) are left out: the architecture's database is PostgreSQL. The engine's default groups (`default.postgres16`,
//! the `default` subnet group) are not read: an instance using one refers to it by name,
//! which resolves to nothing, exactly as a plan's `parameter_group_name =
//! "default.postgres16"` does, so rules treat it as a default. Any other group is referred
//! to by its ARN in the instance's account and region (`…:pg:<name>`, `…:subgrp:<name>`):
//! a group name is unique only there, and a scan of several regions may hold two groups
//! of one name with different parameters.

use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::types::Parameter;
use aws_sdk_rds::Client;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use crate::model::{
    ident, DbCluster, DbInstance, DbParameter, DbParameterGroup, DbSubnetGroup, Field, Kind, Refs,
    Tags,
};

use super::ctx::{client, known, refs, tags, why};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[
    Kind::DbInstance,
    Kind::DbCluster,
    Kind::DbSubnetGroup,
    Kind::DbParameterGroup,
];

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let rds = client!(ctx, aws_sdk_rds);
    instances(ctx, &rds, out).await;
    subnet_groups(ctx, &rds, out).await;
    parameter_groups(ctx, &rds, out).await;
    clusters(ctx, &rds, out).await;
    cluster_parameter_groups(ctx, &rds, out).await;
}

/// Engines of the RDS API that are not relational databases of the architecture.
fn foreign_engine(engine: Option<&str>) -> bool {
    engine.is_some_and(|e| e == "docdb" || e.starts_with("neptune"))
}

/// References to DB subnet or parameter groups (`kind`: `subgrp`, `pg`) by name: by their
/// ARN in the instance's account and region (a group name is unique only there, and a scan
/// of several regions holds same-named groups); the engine's `default*` groups, which are
/// not read, by name, as a plan names them.
fn group_refs<'a>(ctx: &Ctx, kind: &str, names: impl IntoIterator<Item = &'a str>) -> Refs {
    refs(names.into_iter().map(|name| {
        if name == "default" || name.starts_with("default.") {
            name.to_string()
        } else {
            ctx.arn("rds", &format!("{kind}:{name}"))
        }
    }))
}

async fn instances(ctx: &Ctx, rds: &Client, out: &mut Batch) {
    let listing = rds.describe_db_instances().into_paginator().items().send();
    let kinds = [Kind::DbInstance];
    for db in out.drain(listing, &kinds, "rds:DescribeDBInstances").await {
        let Some(name) = db
            .db_instance_identifier()
            .filter(|_| !foreign_engine(db.engine()))
        else {
            continue;
        };
        let arn = db
            .db_instance_arn()
            .map_or_else(|| ctx.arn("rds", &format!("db:{name}")), str::to_string);
        let model = DbInstance {
            identifier: Field::Known(name.to_string()),
            engine: known(db.engine().map(str::to_string)),
            instance_class: known(db.db_instance_class().map(str::to_string)),
            storage_encrypted: known(db.storage_encrypted()),
            kms_key: known(db.kms_key_id().map(str::to_string)),
            multi_az: known(db.multi_az()),
            backup_retention_period: known(db.backup_retention_period().map(i64::from)),
            backup_window: known(db.preferred_backup_window().map(str::to_string)),
            maintenance_window: known(db.preferred_maintenance_window().map(str::to_string)),
            publicly_accessible: known(db.publicly_accessible()),
            subnet_group: group_refs(
                ctx,
                "subgrp",
                db.db_subnet_group().and_then(|g| g.db_subnet_group_name()),
            ),
            security_groups: refs(
                db.vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id()),
            ),
            parameter_group: group_refs(
                ctx,
                "pg",
                db.db_parameter_groups()
                    .iter()
                    .filter_map(|g| g.db_parameter_group_name()),
            ),
            allocated_storage: known(db.allocated_storage().map(i64::from)),
            // Autoscaling off: not returned (Terraform spells it 0).
            max_allocated_storage: known(
                db.max_allocated_storage().filter(|m| *m > 0).map(i64::from),
            ),
            availability_zone: known(db.availability_zone().map(str::to_string)),
            cluster: refs(db.db_cluster_identifier()),
            replicate_source: refs(db.read_replica_source_db_instance_identifier()),
        };
        let mut ids = vec![name.to_string()];
        ids.extend(db.dbi_resource_id().map(str::to_string));
        let tags = tags(db.tag_list().iter().map(|t| (t.key(), t.value())));
        let resource_type = if model.cluster.is_absent() {
            "aws_db_instance"
        } else {
            "aws_rds_cluster_instance"
        };
        out.push(ctx.resource(resource_type, arn, ids, tags, model));
    }
}

async fn clusters(ctx: &Ctx, rds: &Client, out: &mut Batch) {
    let listing = rds.describe_db_clusters().into_paginator().items().send();
    for cl in out
        .drain(listing, &[Kind::DbCluster], "rds:DescribeDBClusters")
        .await
    {
        let Some(name) = cl
            .db_cluster_identifier()
            .filter(|_| !foreign_engine(cl.engine()))
        else {
            continue;
        };
        let arn = cl.db_cluster_arn().map_or_else(
            || ctx.arn("rds", &format!("cluster:{name}")),
            str::to_string,
        );
        let model = DbCluster {
            identifier: Field::Known(name.to_string()),
            engine: known(cl.engine().map(str::to_string)),
            storage_encrypted: known(cl.storage_encrypted()),
            kms_key: known(cl.kms_key_id().map(str::to_string)),
            backup_retention_period: known(cl.backup_retention_period().map(i64::from)),
            backup_window: known(cl.preferred_backup_window().map(str::to_string)),
            maintenance_window: known(cl.preferred_maintenance_window().map(str::to_string)),
            subnet_group: refs(cl.db_subnet_group()),
            security_groups: refs(
                cl.vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id()),
            ),
            parameter_group: refs(cl.db_cluster_parameter_group()),
        };
        let mut ids = vec![name.to_string()];
        ids.extend(cl.db_cluster_resource_id().map(str::to_string));
        let tags = tags(cl.tag_list().iter().map(|t| (t.key(), t.value())));
        out.push(ctx.resource("aws_rds_cluster", arn, ids, tags, model));
    }
}

async fn cluster_parameter_groups(ctx: &Ctx, rds: &Client, out: &mut Batch) {
    let listing = rds
        .describe_db_cluster_parameter_groups()
        .into_paginator()
        .items()
        .send();
    let permission = "rds:DescribeDBClusterParameterGroups";
    for group in out
        .drain(listing, &[Kind::DbParameterGroup], permission)
        .await
    {
        let Some(name) = group
            .db_cluster_parameter_group_name()
            .filter(|n| !n.starts_with("default."))
        else {
            continue;
        };
        let arn = group.db_cluster_parameter_group_arn().map_or_else(
            || ctx.arn("rds", &format!("cluster-pg:{name}")),
            str::to_string,
        );
        let model = DbParameterGroup {
            name: Field::Known(name.to_string()),
            family: known(group.db_parameter_group_family().map(str::to_string)),
            parameters: cluster_parameters(rds, name).await,
            cluster: true,
        };
        let tags = resource_tags(rds, &arn).await;
        out.push(ctx.resource(
            "aws_rds_cluster_parameter_group",
            arn,
            vec![name.to_string()],
            tags,
            model,
        ));
    }
}

/// The parameters a cluster parameter group sets (`Source=user`).
async fn cluster_parameters(rds: &Client, group: &str) -> Field<Vec<DbParameter>> {
    let pages = rds
        .describe_db_cluster_parameters()
        .db_cluster_parameter_group_name(group)
        .source("user")
        .into_paginator()
        .items()
        .send();
    user_parameters(pages.try_collect().await, "rds:DescribeDBClusterParameters")
}

async fn subnet_groups(ctx: &Ctx, rds: &Client, out: &mut Batch) {
    let listing = rds
        .describe_db_subnet_groups()
        .into_paginator()
        .items()
        .send();
    let permission = "rds:DescribeDBSubnetGroups";
    for group in out.drain(listing, &[Kind::DbSubnetGroup], permission).await {
        let Some(name) = group.db_subnet_group_name().filter(|n| *n != "default") else {
            continue;
        };
        let arn = group
            .db_subnet_group_arn()
            .map_or_else(|| ctx.arn("rds", &format!("subgrp:{name}")), str::to_string);
        let model = DbSubnetGroup {
            name: Field::Known(name.to_string()),
            subnets: Field::Known(
                group
                    .subnets()
                    .iter()
                    .filter_map(|s| s.subnet_identifier())
                    .map(ident)
                    .collect(),
            ),
        };
        let tags = resource_tags(rds, &arn).await;
        // Instances refer to it by the ARN `group_refs` builds.
        let ids = vec![name.to_string(), ctx.arn("rds", &format!("subgrp:{name}"))];
        out.push(ctx.resource("aws_db_subnet_group", arn, ids, tags, model));
    }
}

async fn parameter_groups(ctx: &Ctx, rds: &Client, out: &mut Batch) {
    let listing = rds
        .describe_db_parameter_groups()
        .into_paginator()
        .items()
        .send();
    let permission = "rds:DescribeDBParameterGroups";
    for group in out
        .drain(listing, &[Kind::DbParameterGroup], permission)
        .await
    {
        let Some(name) = group
            .db_parameter_group_name()
            .filter(|n| !n.starts_with("default."))
        else {
            continue;
        };
        let arn = group
            .db_parameter_group_arn()
            .map_or_else(|| ctx.arn("rds", &format!("pg:{name}")), str::to_string);
        let model = DbParameterGroup {
            name: Field::Known(name.to_string()),
            family: known(group.db_parameter_group_family().map(str::to_string)),
            parameters: parameters(rds, name).await,
            cluster: false,
        };
        let tags = resource_tags(rds, &arn).await;
        // Instances refer to it by the ARN `group_refs` builds.
        let ids = vec![name.to_string(), ctx.arn("rds", &format!("pg:{name}"))];
        out.push(ctx.resource("aws_db_parameter_group", arn, ids, tags, model));
    }
}

/// The parameters a group sets (`Source=user`; engine defaults are left out, as in a plan).
async fn parameters(rds: &Client, group: &str) -> Field<Vec<DbParameter>> {
    let pages = rds
        .describe_db_parameters()
        .db_parameter_group_name(group)
        .source("user")
        .into_paginator()
        .items()
        .send();
    user_parameters(pages.try_collect().await, "rds:DescribeDBParameters")
}

/// The user-set parameters of a DB or DB cluster parameter group's pages, or why the call
/// gave nothing (`permission`).
fn user_parameters<E>(
    pages: Result<Vec<Parameter>, SdkError<E, HttpResponse>>,
    permission: &str,
) -> Field<Vec<DbParameter>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let pages = match pages {
        Ok(p) => p,
        Err(e) => return Field::Unknown(why(permission, &e)),
    };
    Field::Known(
        pages
            .iter()
            .filter(|p| p.source().is_none_or(|s| s == "user"))
            .filter_map(|p| {
                Some(DbParameter {
                    name: p.parameter_name()?.to_string(),
                    value: known(p.parameter_value().map(str::to_string)),
                })
            })
            .collect(),
    )
}

async fn resource_tags(rds: &Client, arn: &str) -> Field<Tags> {
    match rds.list_tags_for_resource().resource_name(arn).send().await {
        Ok(o) => tags(o.tag_list().iter().map(|t| (t.key(), t.value()))),
        Err(e) => Field::Unknown(why("rds:ListTagsForResource", &e)),
    }
}

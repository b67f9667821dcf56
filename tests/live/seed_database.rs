//! Seeds RDS from the plan: DB subnet groups (over the subnets the network seeder made),
//! DB parameter groups and DB cluster parameter groups with their parameters, DB clusters
//! (`CreateDBCluster`), DB instances (standalone, or members of a seeded cluster) and
//! same-region read replicas (`CreateDBInstanceReadReplica`, then `ModifyDBInstance` for
//! what the create call does not take). A replica in another region than the seeder's is
//! not seeded: every database rule's verdict on it is left out of the comparison.
//!
//! RDS refuses a backup window that overlaps the maintenance window, and moto 5.2.5 also
//! refuses windows that only touch (`03:00-04:00` with `mon:04:00-mon:05:00`, the documented
//! pair). The maintenance window is then moved to 30 minutes after the backup window: an
//! overlapping plan still fails CB-RDS-004, but the documented pair cannot be seeded, so the
//! compliant fixture fails it live.

use std::future::Future;

use aws_sdk_rds::types::{ApplyMethod, Parameter, Tag};
use aws_sdk_rds::Client;
use cbaudit::model::{
    DbCluster, DbInstance, DbParameterGroup, DbSubnetGroup, Field, ResId, SecurityGroup, Subnet,
    Tags,
};

use super::seed::Seeder;
use super::seed_identity::ok;

fn rds_tags(tags: &Field<Tags>) -> Vec<Tag> {
    tags.get()
        .into_iter()
        .flatten()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

pub async fn seed(s: &mut Seeder) {
    let rds = Client::new(&s.sdk);
    subnet_groups(s, &rds).await;
    parameter_groups(s, &rds).await;
    clusters(s, &rds).await;
    instances(s, &rds).await;
    replicas(s, &rds).await;
}

/// The database rules, whose verdicts on a resource moto cannot hold are not compared
/// (`clusters.rs` compares them).
pub const DATABASE_RULES: [&str; 10] = [
    "CB-RDS-001",
    "CB-RDS-002",
    "CB-RDS-003",
    "CB-RDS-004",
    "CB-RDS-005",
    "CB-RDS-006",
    "CB-RDS-007",
    "CB-RDS-008",
    "CB-TLS-003",
    "CB-SG-004",
];

async fn clusters(s: &mut Seeder, rds: &Client) {
    let clusters = s.plan_all_tagged::<DbCluster>();
    for (id, cl, tags) in clusters {
        let Some(name) = cl.identifier.get() else {
            continue;
        };
        let int = |f: &Field<i64>| f.get().map(|v| *v as i32);
        let text = |f: &Field<String>| f.get().cloned();
        let create = |maintenance: Option<String>| {
            rds.create_db_cluster()
                .db_cluster_identifier(name)
                .engine(cl.engine.get().map_or("aurora-postgresql", String::as_str))
                .master_username("seeded")
                .master_user_password("seeded-password-1")
                .set_storage_encrypted(cl.storage_encrypted.get().copied())
                .set_kms_key_id(text(&cl.kms_key))
                .set_backup_retention_period(int(&cl.backup_retention_period))
                .set_preferred_backup_window(text(&cl.backup_window))
                .set_preferred_maintenance_window(maintenance)
                .set_db_subnet_group_name(s.ids::<DbSubnetGroup>(&cl.subnet_group).pop())
                .set_db_cluster_parameter_group_name(
                    s.ids::<DbParameterGroup>(&cl.parameter_group).pop(),
                )
                .set_vpc_security_group_ids(Some(s.ids::<SecurityGroup>(&cl.security_groups)))
                .set_tags(Some(rds_tags(&tags)))
                .send()
        };
        let windows = (&cl.backup_window, &cl.maintenance_window);
        let (created, moved) = with_windows(windows, create).await;
        if moved {
            s.deviates(id, "CB-RDS-004", MOVED);
        }
        if let Some(arn) = ok(&format!("CreateDBCluster {name}"), created)
            .and_then(|o| o.db_cluster()?.db_cluster_arn().map(str::to_string))
        {
            s.created(id, name.clone());
            s.owns(arn, id);
        }
    }
}

/// Same-region read replicas of seeded sources.
async fn replicas(s: &mut Seeder, rds: &Client) {
    // (replica, its data, tags, whether its plan region is its source's)
    let dbs: Vec<(ResId, DbInstance, Field<Tags>, bool)> = s
        .plan
        .all::<DbInstance>()
        .filter(|d| !d.replicate_source.is_absent())
        .map(|d| {
            let region = &d.resource.provenance.region;
            let same = match s.plan.resolve::<DbInstance>(&d.replicate_source) {
                cbaudit::model::Resolution::Known { found, .. } => {
                    found.first().is_some_and(|src| {
                        region.is_some() && src.resource.provenance.region == *region
                    })
                }
                _ => false,
            };
            (d.id, d.data.clone(), d.resource.tags.clone(), same)
        })
        .collect();
    for (id, db, tags, same_region) in dbs {
        let Some(name) = db.identifier.get() else {
            continue;
        };
        let source = s.ids::<DbInstance>(&db.replicate_source).pop();
        let (Some(source), true) = (source, same_region) else {
            for rule in DATABASE_RULES {
                s.deviates(id, rule, "a cross-region read replica is not seeded");
            }
            continue;
        };
        let created = rds
            .create_db_instance_read_replica()
            .db_instance_identifier(name)
            .source_db_instance_identifier(&source)
            .set_db_instance_class(db.instance_class.get().cloned())
            .set_multi_az(db.multi_az.get().copied())
            .set_publicly_accessible(db.publicly_accessible.get().copied())
            .set_max_allocated_storage(db.max_allocated_storage.get().map(|v| *v as i32))
            .set_db_parameter_group_name(s.ids::<DbParameterGroup>(&db.parameter_group).pop())
            .set_tags(Some(rds_tags(&tags)))
            .send()
            .await;
        let Some(arn) = ok(&format!("CreateDBInstanceReadReplica {name}"), created)
            .and_then(|o| o.db_instance()?.db_instance_arn().map(str::to_string))
        else {
            continue;
        };
        s.created(id, name.clone());
        s.owns(arn, id);
        // What the replica sets itself after creation (Terraform modifies it likewise).
        let modify = |maintenance: Option<String>| {
            rds.modify_db_instance()
                .db_instance_identifier(name)
                .set_backup_retention_period(db.backup_retention_period.get().map(|v| *v as i32))
                .set_preferred_backup_window(db.backup_window.get().cloned())
                .set_preferred_maintenance_window(maintenance)
                .send()
        };
        let windows = (&db.backup_window, &db.maintenance_window);
        let (modified, moved) = with_windows(windows, modify).await;
        if moved {
            s.deviates(id, "CB-RDS-004", MOVED);
        }
        ok(&format!("ModifyDBInstance {name}"), modified);
    }
}

async fn subnet_groups(s: &mut Seeder, rds: &Client) {
    let groups = s.plan_all_tagged::<DbSubnetGroup>();
    for (id, group, tags) in groups {
        let Some(name) = group.name.get() else {
            continue;
        };
        let subnets = s.ids::<Subnet>(&group.subnets);
        let created = rds
            .create_db_subnet_group()
            .db_subnet_group_name(name)
            .db_subnet_group_description("seeded")
            .set_subnet_ids(Some(subnets))
            .set_tags(Some(rds_tags(&tags)))
            .send()
            .await;
        if let Some(arn) = ok(&format!("CreateDBSubnetGroup {name}"), created).and_then(|o| {
            o.db_subnet_group()?
                .db_subnet_group_arn()
                .map(str::to_string)
        }) {
            s.created(id, name.clone());
            s.owns(arn, id);
        }
    }
}

async fn parameter_groups(s: &mut Seeder, rds: &Client) {
    let groups = s.plan_all_tagged::<DbParameterGroup>();
    for (id, group, tags) in groups {
        let (Some(name), Some(family)) = (group.name.get(), group.family.get()) else {
            continue;
        };
        let arn = if group.cluster {
            let created = rds
                .create_db_cluster_parameter_group()
                .db_cluster_parameter_group_name(name)
                .db_parameter_group_family(family)
                .description("seeded")
                .set_tags(Some(rds_tags(&tags)))
                .send()
                .await;
            ok(&format!("CreateDBClusterParameterGroup {name}"), created).and_then(|o| {
                o.db_cluster_parameter_group()?
                    .db_cluster_parameter_group_arn()
                    .map(str::to_string)
            })
        } else {
            let created = rds
                .create_db_parameter_group()
                .db_parameter_group_name(name)
                .db_parameter_group_family(family)
                .description("seeded")
                .set_tags(Some(rds_tags(&tags)))
                .send()
                .await;
            ok(&format!("CreateDBParameterGroup {name}"), created).and_then(|o| {
                o.db_parameter_group()?
                    .db_parameter_group_arn()
                    .map(str::to_string)
            })
        };
        let Some(arn) = arn else {
            continue;
        };
        s.created(id, name.clone());
        s.owns(arn, id);
        let params: Vec<Parameter> = group
            .parameters
            .get()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                Some(
                    Parameter::builder()
                        .parameter_name(&p.name)
                        .parameter_value(p.value.get()?)
                        .apply_method(ApplyMethod::PendingReboot)
                        .build(),
                )
            })
            .collect();
        // At most 20 parameters per call.
        for chunk in params.chunks(20) {
            if group.cluster {
                let modified = rds
                    .modify_db_cluster_parameter_group()
                    .db_cluster_parameter_group_name(name)
                    .set_parameters(Some(chunk.to_vec()))
                    .send()
                    .await;
                ok(&format!("ModifyDBClusterParameterGroup {name}"), modified);
            } else {
                let modified = rds
                    .modify_db_parameter_group()
                    .db_parameter_group_name(name)
                    .set_parameters(Some(chunk.to_vec()))
                    .send()
                    .await;
                ok(&format!("ModifyDBParameterGroup {name}"), modified);
            }
        }
    }
}

/// Why a seeded database's maintenance window is not the plan's.
const MOVED: &str = "moto rejects a maintenance window touching the backup window";

/// Runs `call` (a create or modify) with the plan's maintenance window; when moto refuses
/// it as touching the backup window, again with one 30 minutes after the backup window
/// (same day), and says so (`true`: CB-RDS-004 is then not compared there).
async fn with_windows<T, E: std::fmt::Debug, Fut: Future<Output = Result<T, E>>>(
    (backup, maintenance): (&Field<String>, &Field<String>),
    call: impl Fn(Option<String>) -> Fut,
) -> (Result<T, E>, bool) {
    let answer = call(maintenance.get().cloned()).await;
    if let (Err(e), Some(backup)) = (&answer, backup.get()) {
        if format!("{e:?}").contains("must not overlap") {
            let day = maintenance
                .get()
                .and_then(|m| m.get(..3).map(str::to_string));
            return (
                call(after(backup, day.as_deref().unwrap_or("mon"))).await,
                true,
            );
        }
    }
    (answer, false)
}

/// A one-hour maintenance window starting on `day` 30 minutes after the daily `backup`
/// window ends.
fn after(backup: &str, day: &str) -> Option<String> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const DAY: u32 = 24 * 60;
    let (h, m) = backup.split_once('-')?.1.split_once(':')?;
    let d = DAYS.iter().position(|x| x.eq_ignore_ascii_case(day))? as u32;
    let start = d * DAY + (h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()? + 30) % DAY;
    let at = |t: u32| {
        let t = t % (7 * DAY);
        format!(
            "{}:{:02}:{:02}",
            DAYS[(t / DAY) as usize],
            t % DAY / 60,
            t % 60
        )
    };
    Some(format!("{}-{}", at(start), at(start + 60)))
}

async fn instances(s: &mut Seeder, rds: &Client) {
    let dbs: Vec<(ResId, DbInstance, Field<Tags>)> = s
        .plan
        .all::<DbInstance>()
        .filter(|d| d.replicate_source.is_absent())
        .map(|d| (d.id, d.data.clone(), d.resource.tags.clone()))
        .collect();
    for (id, db, tags) in dbs {
        let Some(name) = db.identifier.get() else {
            continue;
        };
        let cluster = s.ids::<DbCluster>(&db.cluster).pop();
        let int = |f: &Field<i64>| f.get().map(|v| *v as i32);
        let text = |f: &Field<String>| f.get().cloned();
        let create = |maintenance: Option<String>| {
            rds.create_db_instance()
                .db_instance_identifier(name)
                .engine(db.engine.get().map_or("postgres", String::as_str))
                .db_instance_class(
                    db.instance_class
                        .get()
                        .map_or("db.t3.micro", String::as_str),
                )
                .master_username("seeded")
                .master_user_password("seeded-password-1")
                .set_allocated_storage(int(&db.allocated_storage))
                .set_max_allocated_storage(int(&db.max_allocated_storage))
                .set_storage_encrypted(db.storage_encrypted.get().copied())
                .set_kms_key_id(text(&db.kms_key))
                .set_multi_az(db.multi_az.get().copied())
                .set_backup_retention_period(int(&db.backup_retention_period))
                .set_preferred_backup_window(text(&db.backup_window))
                .set_preferred_maintenance_window(maintenance)
                .set_publicly_accessible(db.publicly_accessible.get().copied())
                .set_db_subnet_group_name(s.ids::<DbSubnetGroup>(&db.subnet_group).pop())
                .set_db_parameter_group_name(s.ids::<DbParameterGroup>(&db.parameter_group).pop())
                .set_vpc_security_group_ids(Some(s.ids::<SecurityGroup>(&db.security_groups)))
                .set_availability_zone(text(&db.availability_zone))
                .set_db_cluster_identifier(cluster.clone())
                .set_tags(Some(rds_tags(&tags)))
                .send()
        };
        let windows = (&db.backup_window, &db.maintenance_window);
        let (created, moved) = with_windows(windows, create).await;
        if moved {
            s.deviates(id, "CB-RDS-004", MOVED);
        }
        if let Some(arn) = ok(&format!("CreateDBInstance {name}"), created)
            .and_then(|o| o.db_instance()?.db_instance_arn().map(str::to_string))
        {
            s.created(id, name.clone());
            s.owns(arn, id);
        }
    }
}

//! Seeds RDS from the plan: DB subnet groups (over the subnets the network seeder made),
//! DB parameter groups with their parameters, and DB instances.
//!
//! RDS refuses a backup window that overlaps the maintenance window, and moto 5.2.5 also
//! refuses windows that only touch (`03:00-04:00` with `mon:04:00-mon:05:00`, the documented
//! pair). The maintenance window is then moved to 30 minutes after the backup window: an
//! overlapping plan still fails CB-RDS-004, but the documented pair cannot be seeded, so the
//! compliant fixture fails it live.

use aws_sdk_rds::types::{ApplyMethod, Parameter, Tag};
use aws_sdk_rds::Client;
use cbaudit::model::{
    DbInstance, DbParameterGroup, DbSubnetGroup, Field, ResId, SecurityGroup, Subnet, Tags,
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
    instances(s, &rds).await;
}

async fn subnet_groups(s: &mut Seeder, rds: &Client) {
    let groups: Vec<(ResId, DbSubnetGroup, Field<Tags>)> = s
        .plan
        .all::<DbSubnetGroup>()
        .map(|g| (g.id, g.data.clone(), g.resource.tags.clone()))
        .collect();
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
    let groups: Vec<(ResId, DbParameterGroup, Field<Tags>)> = s
        .plan
        .all::<DbParameterGroup>()
        .map(|g| (g.id, g.data.clone(), g.resource.tags.clone()))
        .collect();
    for (id, group, tags) in groups {
        let (Some(name), Some(family)) = (group.name.get(), group.family.get()) else {
            continue;
        };
        let created = rds
            .create_db_parameter_group()
            .db_parameter_group_name(name)
            .db_parameter_group_family(family)
            .description("seeded")
            .set_tags(Some(rds_tags(&tags)))
            .send()
            .await;
        let Some(arn) = ok(&format!("CreateDBParameterGroup {name}"), created).and_then(|o| {
            o.db_parameter_group()?
                .db_parameter_group_arn()
                .map(str::to_string)
        }) else {
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
        .map(|d| (d.id, d.data.clone(), d.resource.tags.clone()))
        .collect();
    for (id, db, tags) in dbs {
        let Some(name) = db.identifier.get() else {
            continue;
        };
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
                .set_tags(Some(rds_tags(&tags)))
                .send()
        };
        let mut created = create(text(&db.maintenance_window)).await;
        if let (Err(e), Some(backup)) = (&created, db.backup_window.get()) {
            if format!("{e:?}").contains("must not overlap") {
                let day = db
                    .maintenance_window
                    .get()
                    .and_then(|m| m.get(..3).map(str::to_string));
                created = create(after(backup, day.as_deref().unwrap_or("mon"))).await;
                s.deviates(
                    id,
                    "CB-RDS-004",
                    "moto rejects a maintenance window touching the backup window",
                );
            }
        }
        if let Some(arn) = ok(&format!("CreateDBInstance {name}"), created)
            .and_then(|o| o.db_instance()?.db_instance_arn().map(str::to_string))
        {
            s.created(id, name.clone());
            s.owns(arn, id);
        }
    }
}

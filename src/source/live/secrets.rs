//! Secrets Manager: the secrets of a region (names, ARNs, tags), mapped like
//! `aws_secretsmanager_secret`. Secret values are never read.
//!
//! Calls (IAM actions): `secretsmanager:ListSecrets` (secrets scheduled for deletion are left
//! out, as they are gone for the architecture).

use crate::model::{Field, Kind, Secret};

use super::ctx::{client, tags};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[Kind::Secret];

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let sm = client!(ctx, aws_sdk_secretsmanager);
    let pages = sm.list_secrets().into_paginator().send();
    let pages = out.drain(pages, KINDS, "secretsmanager:ListSecrets").await;
    for page in &pages {
        for s in page.secret_list() {
            let (Some(name), Some(arn)) = (s.name(), s.arn()) else {
                continue;
            };
            let model = Secret {
                name: Field::Known(name.to_string()),
            };
            let tags = tags(s.tags().iter().map(|t| (t.key(), t.value())));
            let (arn, ids) = (arn.to_string(), vec![name.to_string()]);
            out.push(ctx.resource("aws_secretsmanager_secret", arn, ids, tags, model));
        }
    }
}

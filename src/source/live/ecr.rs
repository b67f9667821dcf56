//! ECR: repositories, their lifecycle policies and the registry's scanning configuration,
//! mapped like `aws_ecr_repository`, `aws_ecr_lifecycle_policy` and
//! `aws_ecr_registry_scanning_configuration` (`terraform/map/compute.rs`).
//!
//! Calls (IAM actions): `ecr:DescribeRepositories`, `ecr:GetLifecyclePolicy` (per repository;
//! `LifecyclePolicyNotFoundException` means it has none) and
//! `ecr:GetRegistryScanningConfiguration`.
//!
//! Objects without an ARN: a lifecycle policy's address is its repository's ARN and
//! `/lifecycle-policy`, and it refers to its repository by that ARN (a repository name is
//! unique only within one account and region: a scan of several regions holds same-named
//! repositories); the registry scanning configuration's is
//! `arn:aws:ecr:<region>:<account>:registry-scanning-configuration`. Repository tags are not
//! read (they would need `ecr:ListTagsForResource`): unknown.

use aws_sdk_ecr::Client;

use crate::model::{
    ident, EcrLifecyclePolicy, EcrRegistryScanning, EcrRepository, Field, Kind, Tags, Unknown,
};

use super::ctx::{client, is_code, known};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[
    Kind::EcrRepository,
    Kind::EcrLifecyclePolicy,
    Kind::EcrRegistryScanning,
];

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let ecr = client!(ctx, aws_sdk_ecr);
    repositories(ctx, &ecr, out).await;
    registry_scanning(ctx, &ecr, out).await;
}

async fn repositories(ctx: &Ctx, ecr: &Client, out: &mut Batch) {
    let listing = ecr.describe_repositories().into_paginator().items().send();
    let kinds = [Kind::EcrRepository, Kind::EcrLifecyclePolicy];
    let Some(repos) = out.all(listing, &kinds, "ecr:DescribeRepositories").await else {
        return;
    };
    for repo in repos {
        let (Some(arn), Some(name)) = (repo.repository_arn(), repo.repository_name()) else {
            continue;
        };
        let model = EcrRepository {
            name: Field::Known(name.to_string()),
            scan_on_push: known(
                repo.image_scanning_configuration()
                    .map(|c| c.scan_on_push()),
            ),
        };
        let mut ids = vec![name.to_string()];
        ids.extend(repo.repository_uri().map(str::to_string));
        let tags = Field::Unknown(Unknown::NotInInputs(
            "the repository's tags (not read by the live source)".into(),
        ));
        out.push(ctx.resource("aws_ecr_repository", arn.to_string(), ids, tags, model));

        let call = ecr
            .get_lifecycle_policy()
            .repository_name(name)
            .set_registry_id(repo.registry_id().map(str::to_string));
        let text = match call.send().await {
            Ok(p) => p.lifecycle_policy_text().map(str::to_string),
            Err(e)
                if is_code(
                    &e,
                    &[
                        "LifecyclePolicyNotFoundException",
                        "RepositoryNotFoundException",
                    ],
                ) =>
            {
                continue;
            }
            Err(e) => {
                let kinds = [Kind::EcrLifecyclePolicy];
                out.gap_once(&kinds, "ecr:GetLifecyclePolicy", &e);
                continue;
            }
        };
        // By the repository's ARN: its name is unique only within its account and region.
        let model = EcrLifecyclePolicy {
            repository: Field::Known(vec![ident(arn)]),
            policy: known(text),
        };
        let address = format!("{arn}/lifecycle-policy");
        let tags = Field::Known(Tags::new());
        out.push(ctx.resource("aws_ecr_lifecycle_policy", address, Vec::new(), tags, model));
    }
}

async fn registry_scanning(ctx: &Ctx, ecr: &Client, out: &mut Batch) {
    let resp = match ecr.get_registry_scanning_configuration().send().await {
        Ok(r) => r,
        Err(e) => {
            let kinds = [Kind::EcrRegistryScanning];
            return out.gap(&kinds, "ecr:GetRegistryScanningConfiguration", &e);
        }
    };
    let rules = resp
        .scanning_configuration()
        .map(|c| c.rules())
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let filters = r
                .repository_filters()
                .iter()
                .map(|f| f.filter().to_string())
                .collect();
            (r.scan_frequency().as_str().to_string(), filters)
        })
        .collect();
    let model = EcrRegistryScanning {
        rules: Field::Known(rules),
    };
    let address = ctx.arn("ecr", "registry-scanning-configuration");
    let ids = resp.registry_id().map(str::to_string).into_iter().collect();
    let tags = Field::Known(Tags::new());
    out.push(ctx.resource(
        "aws_ecr_registry_scanning_configuration",
        address,
        ids,
        tags,
        model,
    ));
}

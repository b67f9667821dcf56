//! The account-level S3 public access block (S3 Control `GetPublicAccessBlock`, IAM action
//! `s3:GetAccountPublicAccessBlock`), mapped like `aws_s3_account_public_access_block`: it
//! covers every bucket of the account. None configured (`NoSuchPublicAccessBlockConfiguration`)
//! means no resource; a failed call is a gap, so CB-S3-003 cannot fail a bucket the
//! account-level block might cover. Address: `arn:aws:s3::<account>:account-public-access-block`.

use aws_config::SdkConfig;
use aws_sdk_s3control::config::endpoint::{EndpointFuture, Params, ResolveEndpoint};
use aws_smithy_types::endpoint::Endpoint;

use crate::model::{AccountPublicAccessBlock, Field, Kind, PublicAccessBlockFlags};

use super::ctx::is_code;
use super::{Batch, Ctx};

/// S3 Control addresses `https://<account>.s3-control.<region>.amazonaws.com`; behind
/// `--endpoint-url` (a test double) the account goes in the `x-amz-account-id` header only.
#[derive(Debug)]
struct Fixed(String);

impl ResolveEndpoint for Fixed {
    fn resolve_endpoint<'a>(&'a self, _params: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

/// An S3 Control client configuration from `sdk`; with `endpoint_override` (the scan's
/// `--endpoint-url`, or the tests' moto), every call goes to `sdk`'s endpoint URL as it is.
pub fn s3_control_config(
    sdk: &SdkConfig,
    endpoint_override: bool,
) -> aws_sdk_s3control::config::Builder {
    let conf = aws_sdk_s3control::config::Builder::from(sdk);
    match (endpoint_override, sdk.endpoint_url()) {
        (true, Some(url)) => conf.endpoint_resolver(Fixed(url.to_string())),
        _ => conf,
    }
}

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let conf = s3_control_config(&ctx.sdk, ctx.endpoint_override).interceptor(ctx.recorder.clone());
    let client = aws_sdk_s3control::Client::from_conf(conf.build());
    let answer = client
        .get_public_access_block()
        .account_id(&ctx.account)
        .send()
        .await;
    let config = match answer {
        Ok(o) => o.public_access_block_configuration,
        Err(e) if is_code(&e, &["NoSuchPublicAccessBlockConfiguration"]) => None,
        Err(e) => {
            let kinds = [Kind::AccountPublicAccessBlock];
            return out.gap(&kinds, "s3:GetAccountPublicAccessBlock", &e);
        }
    };
    let Some(c) = config else {
        return;
    };
    let flag = |v: Option<bool>| Field::Known(v.unwrap_or(false));
    let model = AccountPublicAccessBlock {
        flags: PublicAccessBlockFlags {
            block_public_acls: flag(c.block_public_acls),
            block_public_policy: flag(c.block_public_policy),
            ignore_public_acls: flag(c.ignore_public_acls),
            restrict_public_buckets: flag(c.restrict_public_buckets),
        },
    };
    let address = ctx.global_arn("s3", "account-public-access-block");
    out.push(ctx.resource(
        "aws_s3_account_public_access_block",
        address,
        Vec::new(),
        Field::Known(Default::default()),
        model,
    ));
}

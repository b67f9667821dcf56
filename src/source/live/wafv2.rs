//! AWS WAF (v2): the regional web ACLs and which application load balancer each protects,
//! mapped like `aws_wafv2_web_acl` and `aws_wafv2_web_acl_association`
//! (`terraform/map/edge.rs`).
//!
//! Calls (IAM actions): `wafv2:ListWebACLs` (scope `REGIONAL`),
//! `elasticloadbalancing:DescribeLoadBalancers` (the application load balancers) and
//! `wafv2:GetWebACLForResource` (per application load balancer).
//!
//! An association has no ARN of its own: its address is the web ACL's ARN, `/association/`
//! and the load balancer ARN's resource part, e.g.
//! `arn:aws:wafv2:eu-west-2:123456789012:regional/webacl/main/1111/association/app/main/2222`.
//! Web ACL tags are not read (they would need `wafv2:ListTagsForResource`): unknown.

use aws_sdk_elasticloadbalancingv2::types::LoadBalancerTypeEnum;
use aws_sdk_wafv2::types::Scope;

use crate::model::{ident, Field, Kind, Tags, Unknown, WebAcl, WebAclAssociation};

use super::ctx::{client, is_code};
use super::elbv2::load_balancers;
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[Kind::WebAcl, Kind::WebAclAssociation];

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    web_acls(ctx, out).await;
    associations(ctx, out).await;
}

fn untagged() -> Field<Tags> {
    Field::Unknown(Unknown::NotInInputs(
        "the web ACL's tags (not read by the live source)".into(),
    ))
}

async fn web_acls(ctx: &Ctx, out: &mut Batch) {
    let waf = client!(ctx, aws_sdk_wafv2);
    let mut marker: Option<String> = None;
    loop {
        let call = waf
            .list_web_acls()
            .scope(Scope::Regional)
            .limit(100)
            .set_next_marker(marker.clone());
        let page = match call.send().await {
            Ok(p) => p,
            Err(e) => return out.gap(&[Kind::WebAcl], "wafv2:ListWebACLs", &e),
        };
        for acl in page.web_acls() {
            let Some(arn) = acl.arn() else {
                continue;
            };
            let model = WebAcl {
                name: Field::Known(acl.name().unwrap_or_default().to_string()),
                scope: Field::Known("REGIONAL".to_string()),
            };
            let ids = acl.id().map(str::to_string).into_iter().collect();
            out.push(ctx.resource("aws_wafv2_web_acl", arn.to_string(), ids, untagged(), model));
        }
        // An empty page with a marker, or the same marker again, would loop forever.
        match page.next_marker().filter(|m| !m.is_empty()) {
            Some(m) if !page.web_acls().is_empty() && marker.as_deref() != Some(m) => {
                marker = Some(m.to_string());
            }
            _ => return,
        }
    }
}

async fn associations(ctx: &Ctx, out: &mut Batch) {
    let kinds = [Kind::WebAclAssociation];
    let elb = client!(ctx, aws_sdk_elasticloadbalancingv2);
    let Some(lbs) = load_balancers(&elb, out, &kinds).await else {
        return;
    };
    let waf = client!(ctx, aws_sdk_wafv2);
    for lb in lbs {
        let application = lb
            .r#type()
            .is_none_or(|t| *t == LoadBalancerTypeEnum::Application);
        let Some(lb_arn) = lb.load_balancer_arn().filter(|_| application) else {
            continue;
        };
        let acl = match waf
            .get_web_acl_for_resource()
            .resource_arn(lb_arn)
            .send()
            .await
        {
            Ok(resp) => resp.web_acl().map(|a| a.arn().to_string()),
            // The load balancer is gone since it was listed.
            Err(e) if is_code(&e, &["WAFNonexistentItemException"]) => None,
            Err(e) => {
                out.gap(&kinds, "wafv2:GetWebACLForResource", &e);
                continue;
            }
        };
        let Some(acl_arn) = acl.filter(|a| !a.is_empty()) else {
            continue;
        };
        let suffix = lb_arn
            .split_once(":loadbalancer/")
            .map_or(lb_arn, |(_, s)| s);
        let address = format!("{acl_arn}/association/{suffix}");
        let model = WebAclAssociation {
            resource: Field::Known(vec![ident(lb_arn)]),
            web_acl: Field::Known(vec![ident(acl_arn)]),
        };
        let tags = Field::Known(Tags::new());
        let r = ctx.resource(
            "aws_wafv2_web_acl_association",
            address,
            Vec::new(),
            tags,
            model,
        );
        out.push(r);
    }
}

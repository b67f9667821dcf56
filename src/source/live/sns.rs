//! SNS: topics and their subscriptions, mapped like `aws_sns_topic` and
//! `aws_sns_topic_subscription` (`terraform/map/audit.rs`), so CB-MON-001 judges a live
//! alarm's topics as it judges a plan's: by name, or by the host of an http(s) subscription
//! (a PagerDuty integration posts to `events.pagerduty.com`).
//!
//! Calls (IAM actions): `sns:ListTopics` (paginated) and, per topic,
//! `sns:ListSubscriptionsByTopic` (paginated). A subscription still `PendingConfirmation`
//! delivers nothing until confirmed (Amazon SNS Developer Guide, "Subscribing to an Amazon
//! SNS topic"; `ListSubscriptionsByTopic` returns `PendingConfirmation` as its ARN): it is
//! left out. Topic tags are not read (they would need `sns:ListTagsForResource`): unknown.
//!
//! Addresses: a topic's ARN; a subscription's ARN. A subscription refers to its topic by the
//! topic's ARN (topic names are unique only per account and region). Endpoints may hold
//! secrets (a PagerDuty integration key is part of its URL): they are read as
//! [`Field::Sensitive`] and listed in the subscription's `secrets`, so no output shows them.

use aws_sdk_sns::Client;

use crate::model::{ident, Field, Kind, SnsSubscription, SnsTopic, Tags, Unknown};

use super::ctx::{client, known};
use super::{Batch, Ctx};

pub const KINDS: &[Kind] = &[Kind::SnsTopic, Kind::SnsSubscription];

pub async fn read(ctx: &Ctx, out: &mut Batch) {
    let sns = client!(ctx, aws_sdk_sns);
    let listing = sns.list_topics().into_paginator().items().send();
    let Some(topics) = out.all(listing, KINDS, "sns:ListTopics").await else {
        return;
    };
    for topic in topics {
        let Some(arn) = topic.topic_arn() else {
            continue;
        };
        let name = arn.rsplit(':').next().unwrap_or(arn).to_string();
        let model = SnsTopic {
            name: Field::Known(name.clone()),
        };
        let tags = Field::Unknown(Unknown::NotInInputs(
            "the tags of SNS topics (not read by the live source)".into(),
        ));
        out.push(ctx.resource("aws_sns_topic", arn.to_string(), vec![name], tags, model));
        subscriptions(ctx, &sns, arn, out).await;
    }
}

/// The confirmed subscriptions of `topic`. When they cannot be listed, a gap says
/// subscriptions may be missing (once for all topics).
async fn subscriptions(ctx: &Ctx, sns: &Client, topic: &str, out: &mut Batch) {
    let listing = sns
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .into_paginator()
        .items()
        .send();
    let subs = match listing.try_collect().await {
        Ok(s) => s,
        Err(e) => {
            let kinds = [Kind::SnsSubscription];
            return out.gap_once(&kinds, "sns:ListSubscriptionsByTopic", &e);
        }
    };
    for sub in subs {
        // `PendingConfirmation` (or `Deleted`): not an ARN, delivers nothing.
        let Some(arn) = sub.subscription_arn().filter(|a| a.starts_with("arn:")) else {
            continue;
        };
        let mut secrets = Vec::new();
        let endpoint = match sub.endpoint() {
            Some(e) if !e.is_empty() => {
                secrets.push(e.to_string());
                Field::Sensitive(e.to_string())
            }
            _ => Field::Absent,
        };
        let model = SnsSubscription {
            topic: Field::Known(vec![ident(topic)]),
            protocol: known(sub.protocol().map(str::to_string)),
            endpoint,
        };
        let tags = Field::Known(Tags::new());
        let mut r = ctx.resource(
            "aws_sns_topic_subscription",
            arn.to_string(),
            Vec::new(),
            tags,
            model,
        );
        r.secrets = secrets;
        out.push(r);
    }
}

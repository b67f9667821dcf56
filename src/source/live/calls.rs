//! One home for "paginate, collect, gap on error": every paginated listing of the live
//! readers goes through one of these.
//!
//! - [`Batch::all`]: every item, or none when a page failed (the gap says what may be
//!   missing). For listings whose items are then read one by one, or cross-referenced,
//!   where a partial listing would be taken for the whole.
//! - [`Batch::drain`]: the items up to the first failed page, and the gap; the items read
//!   are kept (they are real).
//! - [`drain`]: the same, with the failure as an [`Unknown`] for the caller to put in a
//!   field (a role's tags) or a gap of its own.
//!
//! A failed page logs the failure under `--verbose` and names the permission when it was
//! denied, as every failed call does ([`why`]).
//!
//! Per-item calls (a bucket's settings, a role's policies, a task definition) run through
//! [`bounded`], each into its own [`Batch`], which [`merge`] joins in the items' order.

use std::future::Future;

use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::model::{Gap, Kind, Unknown};

use super::ctx::{why, Batch};

/// A paginated listing as the SDK gives it: `client.list_x().into_paginator().items().send()`
/// (items) or `….into_paginator().send()` (pages).
pub type Listing<T, E> = PaginationStream<Result<T, SdkError<E, HttpResponse>>>;

impl Batch {
    /// Every item of `listing`, or `None` when a page failed: resources of `kinds` may then
    /// be missing (a gap naming `permission`), and the items read before are dropped.
    pub async fn all<T, E>(
        &mut self,
        listing: Listing<T, E>,
        kinds: &[Kind],
        permission: &str,
    ) -> Option<Vec<T>>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match listing.try_collect().await {
            Ok(items) => Some(items),
            Err(e) => {
                self.gap(kinds, permission, &e);
                None
            }
        }
    }

    /// The items of `listing` up to its first failed page, which records a gap for `kinds`
    /// naming `permission`; the items read before the failure are kept.
    pub async fn drain<T, E>(
        &mut self,
        listing: Listing<T, E>,
        kinds: &[Kind],
        permission: &str,
    ) -> Vec<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let (items, failed) = drain(listing, permission).await;
        if let Some(reason) = failed {
            self.gaps.push(Gap {
                kinds: kinds.to_vec(),
                reason,
            });
        }
        items
    }
}

/// The items of `listing` up to its first failed page, and why it stopped there (a denial
/// names `permission`).
pub async fn drain<T, E>(mut listing: Listing<T, E>, permission: &str) -> (Vec<T>, Option<Unknown>)
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut items = Vec::new();
    while let Some(item) = listing.next().await {
        match item {
            Ok(i) => items.push(i),
            Err(e) => return (items, Some(why(permission, &e))),
        }
    }
    (items, None)
}

/// Per-item calls in flight at once within one reader.
const WINDOW: usize = 8;

/// Runs `f` on every item, at most [`WINDOW`] at a time; results in the items' order.
pub(super) async fn bounded<T, R, Fut>(items: Vec<T>, f: impl Fn(T) -> Fut) -> Vec<R>
where
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let mut set = tokio::task::JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        if set.len() >= WINDOW {
            if let Some(Ok((j, r))) = set.join_next().await {
                results[j] = Some(r);
            }
        }
        let fut = f(item);
        set.spawn(async move { (i, fut.await) });
    }
    while let Some(joined) = set.join_next().await {
        if let Ok((j, r)) = joined {
            results[j] = Some(r);
        }
    }
    results.into_iter().flatten().collect()
}

pub(super) fn merge(out: &mut Batch, batches: Vec<Batch>) {
    for b in batches {
        out.resources.extend(b.resources);
        out.gaps.extend(b.gaps);
    }
}

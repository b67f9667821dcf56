//! The live source: a real AWS account read through the official AWS SDK for Rust, mapped
//! into the same model as plans and HCL. Regional services are read once per region,
//! global ones (IAM, S3's bucket list) once; readers run concurrently under a bound, each
//! call with the SDK's adaptive retry and a per-call timeout, the whole scan under a
//! deadline. A call that fails never stops the scan: it becomes a [`Gap`] and the rules
//! that needed it report unknown, naming the missing permission.

mod aggregator;
mod audit;
mod calls;
mod cloudwatch;
pub(crate) mod ctx;
mod denial;
mod ec2;
mod ecr;
mod ecs;
mod elbv2;
mod iam;
mod logs;
mod progress;
mod rds;
pub mod recorder;
mod s3;
mod s3_account;
mod sdk;
mod secrets;
mod sns;
mod wafv2;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::{Region, SdkConfig};

use crate::model::{Gap, Input, Inventory, Kind, Origin, Unknown};

pub use aggregator::{scan_aggregator, scan_aggregator_async, Aggregator};
pub use ctx::{set_verbose, Batch, Ctx};
pub use recorder::{CallLog, Recorder};
pub use s3_account::s3_control_config;
pub use sdk::base_config;
use sdk::role_for;
pub(crate) use sdk::{assume, identity};

/// `cbaudit scan --live` options.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    pub profile: Option<String>,
    /// Empty: the profile's region.
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    /// A role ARN to assume; with `accounts`, a role name, or an ARN with `{account}`.
    pub assume_role: Option<String>,
    /// Accounts to fan out to (`--accounts FILE`), through `assume_role`.
    pub accounts: Vec<String>,
    /// Readers (one service in one region) in flight at once.
    pub concurrency: usize,
    /// Deadline of the whole scan.
    pub timeout: Duration,
    /// Deadline of one API call, retries included.
    pub call_timeout: Duration,
    pub progress: bool,
    /// The HTTP client of every SDK call (tests: the SDK's replay client); default: the
    /// SDK's own.
    pub http_client: Option<aws_smithy_runtime_api::client::http::SharedHttpClient>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            profile: None,
            regions: Vec::new(),
            endpoint_url: None,
            assume_role: None,
            accounts: Vec::new(),
            concurrency: 8,
            timeout: Duration::from_secs(600),
            call_timeout: Duration::from_secs(60),
            progress: false,
            http_client: None,
        }
    }
}

/// What a live scan read: one inventory per account.
#[derive(Debug)]
pub struct LiveScan {
    pub inventories: Vec<Inventory>,
    pub calls: CallLog,
    /// IAM actions that were denied, sorted.
    pub missing_permissions: Vec<String>,
    pub elapsed: Duration,
}

/// The accounts [`LiveOptions`] names, read live, as a [`Source`](crate::source::Source).
#[derive(Debug, Clone)]
pub struct Live {
    pub opts: LiveOptions,
}

impl crate::source::Source for Live {
    fn origin(&self) -> Origin {
        Origin::Live
    }
    fn load(&self) -> Result<crate::source::Loaded, crate::source::LoadError> {
        Ok(scan(&self.opts)?.into())
    }
}

impl From<LiveScan> for crate::source::Loaded {
    fn from(scan: LiveScan) -> Self {
        let note = format!(
            "read {} account(s) live: {} API calls ({} HTTP attempts) in {:.1} s",
            scan.inventories.len(),
            scan.calls.calls(),
            scan.calls.attempts(),
            scan.elapsed.as_secs_f64()
        );
        crate::source::Loaded {
            inventories: scan.inventories,
            note: Some(note),
        }
    }
}

/// The live scan itself failed (exit status 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LiveError {
    #[error("no AWS region: pass --region or set one in the profile")]
    #[diagnostic(code(cbaudit::live::no_region))]
    NoRegion,
    #[error("the live scan cannot start with {target}: {message}")]
    #[diagnostic(
        code(cbaudit::live::credentials),
        help("set credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID…, SSO, or an instance role) that may call sts:GetCallerIdentity")
    )]
    Credentials { target: String, message: String },
    #[error("nothing could be read from account {account}: every call failed ({first})")]
    #[diagnostic(
        code(cbaudit::live::nothing_read),
        help("grant the auditor policy in docs/auditor-policy.json")
    )]
    NothingRead { account: String, first: String },
    #[error("cannot start the async runtime: {0}")]
    #[diagnostic(code(cbaudit::live::runtime))]
    Runtime(String),
    #[error("{0}")]
    #[diagnostic(code(cbaudit::live::aggregator))]
    Aggregator(String),
    #[error("cannot read the accounts file {path}: {message}")]
    #[diagnostic(code(cbaudit::live::accounts))]
    Accounts { path: String, message: String },
}

type ReadFn = for<'a> fn(&'a Ctx, &'a mut Batch) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// One service reader.
pub struct Reader {
    /// The IAM prefix (`ec2`), shown in progress bars.
    pub service: &'static str,
    /// Read once per account (in the first region), not per region.
    pub global: bool,
    /// Everything this reader produces: unknown when it could not finish.
    pub kinds: &'static [Kind],
    pub read: ReadFn,
}

macro_rules! reader {
    ($service:literal, $global:expr, $module:ident :: $f:ident, $kinds:expr) => {
        Reader {
            service: $service,
            global: $global,
            kinds: $kinds,
            read: |ctx, out| Box::pin($module::$f(ctx, out)),
        }
    };
}

/// Every reader of the live source.
pub static READERS: &[Reader] = &[
    reader!("ec2", false, ec2::read, ec2::KINDS),
    reader!("elasticloadbalancing", false, elbv2::read, elbv2::KINDS),
    reader!("wafv2", false, wafv2::read, wafv2::KINDS),
    reader!("ecs", false, ecs::read, ecs::KINDS),
    reader!(
        "application-autoscaling",
        false,
        ecs::read_autoscaling,
        ecs::AUTOSCALING_KINDS
    ),
    reader!("ecr", false, ecr::read, ecr::KINDS),
    reader!("rds", false, rds::read, rds::KINDS),
    reader!("iam", true, iam::read, iam::KINDS),
    reader!("s3", true, s3::read, s3::KINDS),
    reader!(
        "s3",
        true,
        s3_account::read,
        &[Kind::AccountPublicAccessBlock]
    ),
    reader!("secretsmanager", false, secrets::read, secrets::KINDS),
    reader!("logs", false, logs::read, logs::KINDS),
    reader!("cloudwatch", false, cloudwatch::read, cloudwatch::KINDS),
    reader!("sns", false, sns::read, sns::KINDS),
    reader!(
        "cloudtrail",
        false,
        audit::read_cloudtrail,
        audit::CLOUDTRAIL_KINDS
    ),
    reader!(
        "guardduty",
        false,
        audit::read_guardduty,
        audit::GUARDDUTY_KINDS
    ),
    reader!("config", false, audit::read_config, audit::CONFIG_KINDS),
];

/// Every kind the live source reads.
pub fn kinds() -> BTreeSet<Kind> {
    READERS
        .iter()
        .flat_map(|r| r.kinds.iter().copied())
        .collect()
}

/// `--accounts FILE`: one 12-digit account ID per line; blank lines and `#` comments are
/// skipped.
pub fn read_accounts(path: &std::path::Path) -> Result<Vec<String>, LiveError> {
    let err = |message: String| LiveError::Accounts {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let mut accounts = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let id = line.split('#').next().unwrap_or("").trim();
        if id.is_empty() {
            continue;
        }
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(format!(
                "line {}: `{id}` is not a 12-digit account ID",
                n + 1
            )));
        }
        if !accounts.iter().any(|a| a == id) {
            accounts.push(id.to_string());
        }
    }
    if accounts.is_empty() {
        return Err(err("no account ID in the file".into()));
    }
    Ok(accounts)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, LiveError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| LiveError::Runtime(e.to_string()))
}

/// Scans the account(s) the options name.
pub fn scan(opts: &LiveOptions) -> Result<LiveScan, LiveError> {
    runtime()?.block_on(scan_async(opts, Recorder::default()))
}

pub async fn scan_async(opts: &LiveOptions, recorder: Recorder) -> Result<LiveScan, LiveError> {
    let started = Instant::now();
    let deadline = started + opts.timeout;
    let base = base_config(opts).await;
    let regions: Vec<String> = if opts.regions.is_empty() {
        vec![base
            .region()
            .ok_or(LiveError::NoRegion)?
            .as_ref()
            .to_string()]
    } else {
        opts.regions.clone()
    };

    // The accounts to scan and the configuration for each.
    // (account when known in advance, role or "", configuration)
    let mut targets: Vec<(Option<String>, String, SdkConfig)> = Vec::new();
    if opts.accounts.is_empty() {
        let sdk = match &opts.assume_role {
            Some(role) => assume(&base, role).await,
            None => base.clone(),
        };
        targets.push((None, opts.assume_role.clone().unwrap_or_default(), sdk));
    } else {
        let template = opts
            .assume_role
            .as_deref()
            .unwrap_or("OrganizationAccountAccessRole");
        for account in &opts.accounts {
            let role = role_for(template, account, "aws");
            targets.push((
                Some(account.clone()),
                role.clone(),
                assume(&base, &role).await,
            ));
        }
    }

    let progress = progress::Progress::new(opts.progress);
    let sem = Arc::new(tokio::sync::Semaphore::new(opts.concurrency.max(1)));
    let mut inventories = Vec::new();
    let mut failures: Vec<LiveError> = Vec::new();
    let mut accounts = tokio::task::JoinSet::new();
    let several = targets.len() > 1;
    for (known_account, label, sdk) in targets {
        let regions = regions.clone();
        let recorder = recorder.clone();
        let sem = sem.clone();
        let progress = progress.clone();
        let endpoint_override = opts.endpoint_url.is_some();
        accounts.spawn(async move {
            let (account, partition) = match identity(&sdk, &recorder).await {
                Ok(id) => id,
                Err(message) => {
                    let target = if label.is_empty() {
                        "the default credentials".to_string()
                    } else {
                        label
                    };
                    if let (true, Some(account)) = (several, known_account) {
                        // One account of many: everything in it is unknown, the others
                        // are still reported.
                        return Ok(unreachable_account(&account, &regions, &target, &message));
                    }
                    return Err(LiveError::Credentials { target, message });
                }
            };
            let ctxs: Vec<Ctx> = regions
                .iter()
                .map(|region| Ctx {
                    sdk: sdk.to_builder().region(Region::new(region.clone())).build(),
                    account: account.clone(),
                    region: region.clone(),
                    partition: partition.clone(),
                    endpoint_override,
                    recorder: recorder.clone(),
                    input: Arc::from(format!("live:{account}/{region}")),
                })
                .collect();
            Ok(scan_account(ctxs, sem, deadline, progress).await)
        });
    }
    while let Some(joined) = accounts.join_next().await {
        match joined {
            Ok(Ok(inv)) => inventories.push(inv),
            Ok(Err(e)) => failures.push(e),
            Err(e) => failures.push(LiveError::Runtime(e.to_string())),
        }
    }
    progress.finish();
    if !inventories.is_empty()
        && inventories
            .iter()
            .all(|i| i.is_empty() && all_readers_failed(i))
        && failures.is_empty()
        && inventories.len() > 1
    {
        return Err(LiveError::Credentials {
            target: "every account".into(),
            message: inventories[0].gaps()[0].reason.to_string(),
        });
    }
    if inventories.is_empty() {
        return Err(failures
            .into_iter()
            .next()
            .unwrap_or(LiveError::Runtime("no account scanned".into())));
    }
    // A single account from which nothing at all could be read is an error.
    if inventories.len() == 1 && inventories[0].is_empty() {
        let inv = &inventories[0];
        let gaps = inv.gaps();
        if !gaps.is_empty() && all_readers_failed(inv) {
            return Err(LiveError::NothingRead {
                account: account_of(inv),
                first: gaps[0].reason.to_string(),
            });
        }
    }
    let calls = recorder.snapshot();
    let missing_permissions: Vec<String> = inventories
        .iter()
        .flat_map(|inv| inv.gaps())
        .filter_map(|g| match &g.reason {
            Unknown::Denied(p) => Some(p.clone()),
            _ => None,
        })
        .chain(calls.denied.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for inv in &mut inventories {
        inv.missing_permissions.clone_from(&missing_permissions);
    }
    Ok(LiveScan {
        inventories,
        calls,
        missing_permissions,
        elapsed: started.elapsed(),
    })
}

/// An account whose credentials failed: every kind is a gap.
fn unreachable_account(account: &str, regions: &[String], role: &str, message: &str) -> Inventory {
    let mut inv = Inventory::new();
    inv.account = Some(account.to_string());
    for region in regions {
        inv.inputs.push(Input {
            kind: Origin::Live,
            path: format!("live:{account}/{region}"),
        });
    }
    inv.add_gap(Gap {
        kinds: kinds().into_iter().collect(),
        reason: Unknown::failed(format!("sts:AssumeRole {role}"), message.to_string()),
    });
    inv
}

fn account_of(inv: &Inventory) -> String {
    inv.inputs
        .first()
        .map(|i| {
            i.path
                .trim_start_matches("live:")
                .split('/')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default()
}

/// Every reader of every region left a gap covering all its kinds.
fn all_readers_failed(inv: &Inventory) -> bool {
    kinds().iter().all(|k| inv.gap(*k).is_some())
}

/// Runs every reader for one account, bounded by `sem`, until `deadline`.
async fn scan_account(
    ctxs: Vec<Ctx>,
    sem: Arc<tokio::sync::Semaphore>,
    deadline: Instant,
    progress: progress::Progress,
) -> Inventory {
    struct Task {
        ctx: usize,
        reader: &'static Reader,
    }
    let mut tasks = Vec::new();
    for (i, ctx) in ctxs.iter().enumerate() {
        let bar = progress.region(&ctx.account, &ctx.region);
        for reader in READERS {
            if reader.global && i > 0 {
                continue;
            }
            bar.add(1);
            tasks.push(Task { ctx: i, reader });
        }
    }
    let done: Arc<Mutex<Vec<Option<Batch>>>> =
        Arc::new(Mutex::new((0..tasks.len()).map(|_| None).collect()));
    let mut set = tokio::task::JoinSet::new();
    for (index, task) in tasks.iter().enumerate() {
        let ctx = ctxs[task.ctx].clone();
        let reader = task.reader;
        let sem = sem.clone();
        let done = done.clone();
        let bar = progress.region(&ctx.account, &ctx.region);
        set.spawn(async move {
            let Ok(_permit) = sem.acquire_owned().await else {
                return;
            };
            bar.start(reader.service);
            let mut batch = Batch::default();
            (reader.read)(&ctx, &mut batch).await;
            bar.done(reader.service);
            if let Ok(mut d) = done.lock() {
                d[index] = Some(batch);
            }
        });
    }
    let left = deadline.saturating_duration_since(Instant::now());
    let finished =
        tokio::time::timeout(left, async { while set.join_next().await.is_some() {} }).await;
    if finished.is_err() {
        set.abort_all();
    }

    let mut inv = Inventory::new();
    inv.account = ctxs.first().map(|c| c.account.clone());
    for ctx in &ctxs {
        inv.inputs.push(Input {
            kind: Origin::Live,
            path: ctx.input.to_string(),
        });
    }
    let batches = std::mem::take(&mut *done.lock().unwrap_or_else(|p| p.into_inner()));
    for (task, batch) in tasks.iter().zip(batches) {
        match batch {
            Some(batch) => {
                for r in batch.resources {
                    // Multi-region objects (a multi-region trail) are seen from every
                    // region under one ARN: keep one.
                    if inv.by_address(r.address()).is_none() {
                        inv.push(r);
                    }
                }
                for g in batch.gaps {
                    inv.add_gap(g);
                }
            }
            None => inv.add_gap(Gap {
                kinds: task.reader.kinds.to_vec(),
                reason: Unknown::failed(
                    format!("{} in {}", task.reader.service, ctxs[task.ctx].region),
                    "not finished within the scan's --timeout",
                ),
            }),
        }
    }
    inv
}

//! Progress bars per account and region (services done / services to read, and the
//! services in flight), on a terminal only.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone)]
pub struct Progress {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<String, RegionBar>>,
}

/// The bar of one account × region; inert when progress is off.
#[derive(Clone)]
pub struct RegionBar {
    bar: Option<ProgressBar>,
    running: Arc<Mutex<Vec<&'static str>>>,
}

impl Progress {
    /// Bars on stderr when `enabled` (the CLI passes: a terminal, and not `--quiet`).
    pub fn new(enabled: bool) -> Progress {
        Progress {
            inner: enabled.then(|| {
                Arc::new(Inner {
                    multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
                    bars: Mutex::new(BTreeMap::new()),
                })
            }),
        }
    }

    pub fn region(&self, account: &str, region: &str) -> RegionBar {
        let Some(inner) = &self.inner else {
            return RegionBar {
                bar: None,
                running: Arc::default(),
            };
        };
        let mut bars = inner.bars.lock().unwrap_or_else(|p| p.into_inner());
        bars.entry(format!("{account}/{region}"))
            .or_insert_with(|| {
                let bar = inner.multi.add(ProgressBar::new(0));
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix:>28} [{bar:24}] {pos}/{len} services {wide_msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_prefix(format!("{account} {region}"));
                RegionBar {
                    bar: Some(bar),
                    running: Arc::default(),
                }
            })
            .clone()
    }

    pub fn finish(&self) {
        if let Some(inner) = &self.inner {
            for bar in inner
                .bars
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .values()
            {
                if let Some(b) = &bar.bar {
                    b.finish_and_clear();
                }
            }
        }
    }
}

impl RegionBar {
    pub fn add(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc_length(n);
        }
    }

    pub fn start(&self, service: &'static str) {
        if let Some(b) = &self.bar {
            let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            running.push(service);
            b.set_message(running.join(" "));
        }
    }

    pub fn done(&self, service: &'static str) {
        if let Some(b) = &self.bar {
            let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            running.retain(|s| *s != service);
            b.set_message(running.join(" "));
            b.inc(1);
        }
    }
}

//! `scan --live`, `--accounts`, `--aggregator`: the live sources the arguments name.

#[cfg(feature = "live")]
use std::io::IsTerminal;

use miette::Report as MietteReport;

use super::args::ScanArgs;
use crate::source::Source;

/// The live account(s) or aggregator the arguments name, if any.
#[cfg(feature = "live")]
pub(super) fn live_sources(args: &ScanArgs) -> Result<Vec<Box<dyn Source>>, MietteReport> {
    use crate::source::live;
    if !args.live && args.aggregator.is_none() && args.accounts.is_none() {
        return Ok(Vec::new());
    }
    let accounts = match &args.accounts {
        Some(path) => live::read_accounts(path)?,
        None => Vec::new(),
    };
    if let Some(url) = &args.endpoint_url {
        let host = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .map(|rest| rest.split(['/', '?']).next().unwrap_or(""));
        if !host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace)) {
            return Err(miette::miette!(
                code = "cbaudit::cli::endpoint_url",
                help = "an http:// or https:// URL with a host, e.g. http://127.0.0.1:5000",
                "--endpoint-url `{url}` is not a URL"
            ));
        }
    }
    live::set_verbose(args.verbose);
    let opts = live::LiveOptions {
        profile: args.profile.clone(),
        regions: args.regions.clone(),
        endpoint_url: args.endpoint_url.clone(),
        assume_role: args.assume_role.clone(),
        accounts,
        concurrency: args.concurrency,
        timeout: std::time::Duration::from_secs(args.timeout),
        call_timeout: std::time::Duration::from_secs(args.timeout.min(60)),
        progress: !args.quiet && std::io::stderr().is_terminal(),
        http_client: None,
    };
    Ok(vec![match &args.aggregator {
        Some(name) => Box::new(live::Aggregator {
            opts,
            name: name.clone(),
        }),
        None => Box::new(live::Live { opts }),
    }])
}

#[cfg(not(feature = "live"))]
pub(super) fn live_sources(args: &ScanArgs) -> Result<Vec<Box<dyn Source>>, MietteReport> {
    // --verbose logs live calls only.
    let _ = args.verbose;
    if args.live || args.aggregator.is_some() || args.accounts.is_some() {
        return Err(miette::miette!(
            code = "cbaudit::live::unavailable",
            help = "build with the default `live` feature",
            "this cbaudit was built without the live source"
        ));
    }
    Ok(Vec::new())
}

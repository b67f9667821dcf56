//! The shape of a plan's JSON (the parts cbaudit reads) and what is wrong with a file that
//! does not have it.

use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::config::Configuration;
use crate::source::error::SourceError;

#[derive(Deserialize)]
pub(super) struct PlanFile<'a> {
    #[serde(default)]
    pub(super) format_version: Option<String>,
    #[serde(borrow, default)]
    pub(super) resource_changes: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) prior_state: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) planned_values: Option<&'a RawValue>,
    #[serde(default)]
    pub(super) configuration: Option<Configuration>,
    #[serde(default)]
    pub(super) variables: Option<HashMap<String, PlanVariable>>,
}

#[derive(Deserialize)]
pub(super) struct PlanVariable {
    #[serde(default)]
    pub(super) value: Value,
}

#[derive(Deserialize)]
pub(super) struct ResourceChange {
    pub(super) address: String,
    #[serde(default)]
    pub(super) module_address: Option<String>,
    #[serde(default)]
    pub(super) mode: String,
    #[serde(rename = "type")]
    pub(super) resource_type: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) index: Option<Value>,
    pub(super) change: Change,
}

#[derive(Deserialize)]
pub(super) struct Change {
    #[serde(default)]
    pub(super) actions: Vec<String>,
    #[serde(default)]
    pub(super) after: Value,
    #[serde(default)]
    pub(super) after_unknown: Value,
    #[serde(default)]
    pub(super) after_sensitive: Value,
}

#[derive(Deserialize)]
pub(super) struct State {
    #[serde(default)]
    pub(super) values: Option<StateValues>,
}

#[derive(Deserialize)]
pub(super) struct StateValues {
    #[serde(default)]
    pub(super) root_module: StateModule,
}

#[derive(Deserialize, Default)]
pub(super) struct StateModule {
    #[serde(default)]
    pub(super) resources: Vec<StateResource>,
    #[serde(default)]
    pub(super) child_modules: Vec<StateModule>,
}

#[derive(Deserialize)]
pub(super) struct StateResource {
    pub(super) address: String,
    #[serde(default)]
    pub(super) mode: String,
    #[serde(rename = "type")]
    pub(super) resource_type: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) index: Option<Value>,
    #[serde(default)]
    pub(super) values: Value,
    #[serde(default)]
    pub(super) sensitive_values: Value,
}

pub(super) fn json_error(path: &str, e: &serde_json::Error) -> SourceError {
    use serde_json::error::Category;
    let recursion = e.to_string().contains("recursion limit");
    let help = match e.classify() {
        _ if recursion => {
            "the JSON nests deeper than any Terraform plan does (cbaudit reads up to 128 levels)"
        }
        Category::Eof => "the file ends too early: was it truncated while being written?",
        Category::Syntax => "the file is not valid JSON",
        Category::Data => "the JSON does not have the structure of a Terraform plan",
        Category::Io => "the file could not be read",
    };
    let message = e.to_string();
    // serde_json appends " at line L column C"; the error line already says where.
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    if e.classify() == Category::Data {
        return SourceError::NotAPlan {
            path: path.to_string(),
            why: message,
        };
    }
    SourceError::Json {
        path: path.to_string(),
        line: e.line(),
        column: e.column(),
        message,
        help: help.to_string(),
    }
}

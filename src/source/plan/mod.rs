//! Terraform plan JSON (`terraform show -json plan.out`).
//!
//! Reads `resource_changes` (actions, `after`, `after_unknown`, `after_sensitive`), data
//! sources read at plan time from `prior_state`, and the `configuration` section, whose
//! references resolve what still-unknown ids point at. Resources only being destroyed are
//! not checked. The top level is parsed once with each resource kept as raw text, then
//! each resource is parsed and mapped on its own, so memory stays near the file size.

mod config;
mod locate;
mod overlay;
mod shape;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::model::{Inventory, Location, Origin};
use crate::source::error::SourceError;
use crate::source::terraform::{self, TfResource};

use config::{module_path, Configuration, RefContext};
use locate::{address_locations, entry_address};
use shape::*;

/// Whether `text` looks like a plan: a JSON object with `format_version` and one of the
/// plan sections (key names only; used to pick plans among a directory's JSON files).
pub fn looks_like_plan(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    text.trim_start().starts_with('{')
        && text.contains("\"format_version\"")
        && (text.contains("\"planned_values\"") || text.contains("\"resource_changes\""))
}

/// Reads one plan into the inventory.
///
/// `config_dir` is the plan's Terraform configuration, when known (`--source-dir`, or the
/// plan's own directory): it is evaluated with the plan's variable values, and its
/// references resolve what the plan's unknown values point at, element by element.
pub fn load(
    path: &str,
    text: &[u8],
    inv: &mut Inventory,
    config_dir: Option<&std::path::Path>,
) -> Result<(), SourceError> {
    let plan: PlanFile<'_> = serde_json::from_slice(text).map_err(|e| json_error(path, &e))?;
    let version = plan
        .format_version
        .as_deref()
        .ok_or_else(|| SourceError::NotAPlan {
            path: path.to_string(),
            why: "no format_version".into(),
        })?;
    if plan.planned_values.is_none()
        && plan.resource_changes.is_empty()
        && plan.prior_state.is_none()
    {
        return Err(SourceError::NotAPlan {
            path: path.to_string(),
            why: "no planned_values or resource_changes".into(),
        });
    }
    for (section, raw) in [
        ("planned_values", plan.planned_values),
        ("prior_state", plan.prior_state),
    ] {
        if raw.is_some_and(|r| !r.get().trim_start().starts_with('{')) {
            return Err(SourceError::NotAPlan {
                path: path.to_string(),
                why: format!("{section} is not an object"),
            });
        }
    }
    if version.split('.').next() != Some("1") {
        return Err(SourceError::UnsupportedVersion {
            path: path.to_string(),
            version: version.to_string(),
        });
    }
    let input: Arc<str> = Arc::from(path);
    let locations = address_locations(&input, text);
    // The instances of the plan. Not every `"address"` of the text: the configuration
    // section names resources too (`aws_subnet.app`, without instance keys), and counting
    // those would hide that `aws_subnet.app` has several instances.
    let addresses: HashSet<String> = if plan.resource_changes.is_empty() {
        locations.keys().cloned().collect()
    } else {
        let mut set: HashSet<String> = locations
            .keys()
            .filter(|a| a.starts_with("data.") || a.contains(".data."))
            .cloned()
            .collect();
        for raw in &plan.resource_changes {
            set.insert(entry_address(raw.get()).map_err(|e| json_error(path, &e))?);
        }
        set
    };
    let multi_instance = multi_instance_groups(&addresses);
    let config = plan.configuration.unwrap_or_default();
    let mut providers = provider_settings(&config, plan.variables.as_ref());
    let root_vars: std::collections::HashMap<String, terraform::TfValue> = plan
        .variables
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), terraform::TfValue::from_json(&v.value)))
        .collect();
    // Evaluation problems only cost the precision the configuration adds.
    let hcl = match config_dir {
        Some(dir) => {
            let data = plan_read_data(plan.prior_state).map_err(|e| json_error(path, &e))?;
            crate::source::hcl::instance_values(dir, root_vars, data).ok()
        }
        None => None,
    };
    // A provider region the plan does not record (from a local) may be known to the
    // evaluated configuration.
    if let Some(evaluated) = &hcl {
        for (key, (region, _)) in providers.iter_mut() {
            if region.is_none() {
                if let Some(Some(r)) = evaluated.provider_regions.get(key) {
                    *region = Some(r.clone());
                }
            }
        }
    }
    let hcl = hcl.map(|e| e.values);

    let loader = Loader {
        hcl: hcl.as_ref(),
        input: input.clone(),
        locations: &locations,
        addresses: &addresses,
        multi_instance: &multi_instance,
        config: &config,
        providers: &providers,
    };
    let mut seen = HashSet::default();
    for raw in &plan.resource_changes {
        let rc: ResourceChange =
            serde_json::from_str(raw.get()).map_err(|e| json_error(path, &e))?;
        let actions = &rc.change.actions;
        if actions.iter().all(|a| a == "delete" || a == "forget") && !actions.is_empty() {
            continue; // only being destroyed: nothing to check
        }
        seen.insert(rc.address.clone());
        loader.load(
            inv,
            Instance {
                address: &rc.address,
                module_address: rc.module_address.as_deref().unwrap_or(""),
                mode: &rc.mode,
                resource_type: &rc.resource_type,
                name: &rc.name,
                index: rc.index.as_ref(),
            },
            rc.change.after,
            &rc.change.after_unknown,
            &rc.change.after_sensitive,
        );
    }

    // A plan document without resource_changes: read planned_values, where a configured
    // attribute that is missing is one Terraform only knows after apply.
    if plan.resource_changes.is_empty() {
        if let Some(raw) = plan.planned_values {
            let planned: StateValues =
                serde_json::from_str(raw.get()).map_err(|e| json_error(path, &e))?;
            let mut stack = vec![planned.root_module];
            while let Some(module) = stack.pop() {
                for r in module.resources {
                    let module_address = config::module_part(&r.address);
                    let instance = Instance {
                        address: &r.address,
                        module_address,
                        mode: &r.mode,
                        resource_type: &r.resource_type,
                        name: &r.name,
                        index: r.index.as_ref(),
                    };
                    let unknown = loader.unconfigured_overlay(&instance, &r.values);
                    seen.insert(r.address.clone());
                    loader.load(inv, instance, r.values, &unknown, &r.sensitive_values);
                }
                stack.extend(module.child_modules);
            }
        }
    }

    // Data sources read while planning are only in prior_state; their values are known.
    if let Some(raw) = plan.prior_state {
        let state: State = serde_json::from_str(raw.get()).map_err(|e| json_error(path, &e))?;
        if let Some(values) = state.values {
            let mut stack = vec![values.root_module];
            while let Some(module) = stack.pop() {
                for r in module.resources {
                    if r.mode != "data" || seen.contains(&r.address) {
                        continue;
                    }
                    let values = overlay::build_known(r.values, &r.sensitive_values);
                    loader.push(inv, &r.address, &r.resource_type, true, &values, "aws");
                }
                stack.extend(module.child_modules);
            }
        }
    }
    inv.inputs.push(crate::model::Input {
        kind: Origin::Plan,
        path: path.to_string(),
    });
    Ok(())
}

/// The values of the data sources Terraform read while planning (in `prior_state`), by
/// address, for the evaluation of the configuration beside the plan.
fn plan_read_data(
    prior_state: Option<&RawValue>,
) -> Result<std::collections::HashMap<String, terraform::TfValue>, serde_json::Error> {
    let mut out = std::collections::HashMap::new();
    let Some(raw) = prior_state else {
        return Ok(out);
    };
    let state: State = serde_json::from_str(raw.get())?;
    let Some(values) = state.values else {
        return Ok(out);
    };
    let mut stack = vec![values.root_module];
    while let Some(module) = stack.pop() {
        for r in module.resources {
            if r.mode == "data" {
                out.insert(
                    r.address,
                    overlay::build_known(r.values, &r.sensitive_values),
                );
            }
        }
        stack.extend(module.child_modules);
    }
    Ok(out)
}

/// The `after_unknown` overlay of values that omit unknowns: configured attributes that
/// are missing (or null inside a list) are unknown.
fn omitted(values: &Value, exprs: &serde_json::Map<String, Value>) -> Value {
    let mut unknown = serde_json::Map::new();
    for (key, expr) in exprs {
        let overlay = match (values.get(key), expr) {
            (None, _) => Value::Bool(true),
            (Some(Value::Array(items)), Value::Array(blocks)) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(n, item)| match blocks.get(n).or(blocks.last()) {
                        Some(block @ Value::Object(b)) if !config::is_expression(block) => {
                            omitted(item, b)
                        }
                        _ => Value::Null,
                    })
                    .collect(),
            ),
            // Blocks written as an attribute (`ingress = [...]`, `route = [...]`) from
            // references: which of their fields are known is not recorded.
            (Some(Value::Array(items)), expr)
                if items.iter().any(Value::is_object)
                    && !config::expression_refs(expr).is_empty() =>
            {
                Value::Bool(true)
            }
            (Some(Value::Array(items)), _) if items.iter().any(Value::is_null) => {
                Value::Array(items.iter().map(|v| Value::Bool(v.is_null())).collect())
            }
            _ => continue,
        };
        unknown.insert(key.clone(), overlay);
    }
    Value::Object(unknown)
}

/// Resources with two or more keyed instances.
fn multi_instance_groups(addresses: &HashSet<String>) -> HashSet<String> {
    let mut seen: HashMap<&str, usize> = HashMap::default();
    for a in addresses {
        let group = crate::model::group_address(a);
        if group.len() != a.len() {
            *seen.entry(group).or_default() += 1;
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(g, _)| g.to_string())
        .collect()
}

/// What identifies one resource instance of a plan.
struct Instance<'a> {
    address: &'a str,
    module_address: &'a str,
    mode: &'a str,
    resource_type: &'a str,
    name: &'a str,
    index: Option<&'a Value>,
}

/// Everything one plan's instances are read with.
struct Loader<'a> {
    /// Instance values evaluated from the configuration next to the plan, by address.
    hcl: Option<&'a std::collections::HashMap<String, terraform::TfValue>>,
    input: Arc<str>,
    locations: &'a HashMap<String, Location>,
    addresses: &'a HashSet<String>,
    multi_instance: &'a HashSet<String>,
    config: &'a Configuration,
    providers: &'a HashMap<String, ProviderSettings>,
}

impl Loader<'_> {
    fn config_of(&self, i: &Instance<'_>) -> Option<&config::ConfigResource> {
        let module = module_path(i.module_address);
        config_resource(self.config, &module, i.mode, i.resource_type, i.name)
    }

    /// Reads one instance: its values, unknowns (with what they refer to) and sensitivity.
    fn load(
        &self,
        inv: &mut Inventory,
        i: Instance<'_>,
        after: Value,
        unknown: &Value,
        sensitive: &Value,
    ) {
        let cfg_resource = self.config_of(&i);
        let ctx = RefContext {
            config: self.config,
            module: module_path(i.module_address),
            key: i.index.map(instance_key),
            repetition_refs: cfg_resource
                .and_then(|r| {
                    r.for_each_expression
                        .as_ref()
                        .or(r.count_expression.as_ref())
                })
                .map(|e| {
                    config::expression_refs(e)
                        .into_iter()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            addresses: self.addresses,
            multi_instance: self.multi_instance,
        };
        let hcl = self.hcl.and_then(|m| m.get(i.address));
        let values = overlay::build(
            after,
            unknown,
            sensitive,
            cfg_resource.map(|r| &r.expressions),
            &ctx,
            hcl,
        );
        let provider = cfg_resource
            .and_then(|r| r.provider_config_key.as_deref())
            .filter(|k| self.providers.contains_key(*k))
            .unwrap_or("aws");
        self.push(
            inv,
            i.address,
            i.resource_type,
            i.mode == "data",
            &values,
            provider,
        );
    }

    /// For planned_values, which omit what is known only after apply: `true` for each
    /// configured attribute (at any depth of nested blocks) the values omit.
    fn unconfigured_overlay(&self, i: &Instance<'_>, values: &Value) -> Value {
        match self.config_of(i) {
            Some(cfg) => omitted(values, &cfg.expressions),
            None => Value::Null,
        }
    }

    fn push(
        &self,
        inv: &mut Inventory,
        address: &str,
        resource_type: &str,
        data: bool,
        values: &terraform::TfValue,
        provider: &str,
    ) {
        let (region, default_tags) = self
            .providers
            .get(provider)
            .cloned()
            .unwrap_or((None, crate::model::Field::Absent));
        let r = TfResource {
            address,
            resource_type,
            data,
            values,
            region,
            default_tags,
        };
        let location = self.locations.get(address).cloned();
        if let Some(resource) =
            terraform::map_resource(&r, Origin::Plan, self.input.clone(), location)
        {
            inv.push(resource);
        }
    }
}

fn config_resource<'c>(
    config: &'c Configuration,
    module: &[config::ModuleStep],
    mode: &str,
    resource_type: &str,
    name: &str,
) -> Option<&'c config::ConfigResource> {
    let mut m = &config.root_module;
    for step in module {
        m = &m.module_calls.get(&step.name)?.module;
    }
    let address = if mode == "data" {
        format!("data.{resource_type}.{name}")
    } else {
        format!("{resource_type}.{name}")
    };
    m.resources.iter().find(|r| r.address == address)
}

/// `[0]` for count, `["a"]` for for_each.
fn instance_key(index: &Value) -> String {
    match index {
        Value::String(s) => format!("[{}]", serde_json::to_string(s).unwrap_or_default()),
        other => format!("[{other}]"),
    }
}

type ProviderSettings = (Option<String>, crate::model::Field<crate::model::Tags>);

/// Region and default tags of each provider configuration (`aws`, `aws.replica`).
/// A region is a constant, or a root variable (`var.region`, `var.regions.replica`,
/// `var.regions["replica"]`) whose value the plan records.
fn provider_settings(
    config: &Configuration,
    variables: Option<&HashMap<String, PlanVariable>>,
) -> HashMap<String, ProviderSettings> {
    use crate::model::{Field, Tags, Unknown};
    config
        .provider_config
        .iter()
        .map(|(key, p)| {
            let region = p.expressions.get("region").and_then(|r| {
                if let Some(c) = r.get("constant_value") {
                    return c.as_str().map(str::to_string);
                }
                // Provider configurations inside modules see the module's variables.
                if key.contains(':') {
                    return None;
                }
                let refs = config::expression_refs(r);
                let longest = refs.iter().max_by_key(|s| s.len())?;
                // Every reference must be a prefix of the longest (one path into one variable).
                if !refs.iter().all(|s| longest.starts_with(s)) {
                    return None;
                }
                let (name, path) = config::variable_path(longest)?;
                let mut v = &variables?.get(&name)?.value;
                for step in path {
                    v = v.get(step.as_str())?;
                }
                v.as_str().map(str::to_string)
            });
            let tags = match p.expressions.get("default_tags") {
                None => Field::Known(Tags::new()),
                Some(block) => {
                    let block = block.get(0).unwrap_or(block);
                    match block.get("tags").map(|t| t.get("constant_value")) {
                        None => Field::Known(Tags::new()),
                        Some(Some(Value::Object(m))) => Field::Known(
                            m.iter()
                                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                                .collect(),
                        ),
                        Some(_) => Field::Unknown(Unknown::Unresolved(
                            "the provider's default_tags are not constant".into(),
                        )),
                    }
                }
            };
            (key.clone(), (region, tags))
        })
        .collect()
}

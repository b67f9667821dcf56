//! Generates realistic Terraform plans of any size for benchmarks: the documented
//! architecture (the compliant fixture's real plan) instantiated as many stacks of a
//! `for_each` module (`module.stack["s0001"]`), with the configuration section, planned
//! values, resource changes and prior state a real `terraform show -json` writes.

use serde_json::{json, Map, Value};

const TEMPLATE: &str = include_str!("../fixtures/clever-better/compliant/plan.json");

fn prefixed(prefix: &str, address: &str) -> String {
    format!("{prefix}.{address}")
}

fn rename(resource: &Value, prefix: &str) -> Value {
    let mut r = resource.clone();
    if let Some(obj) = r.as_object_mut() {
        if let Some(Value::String(a)) = obj.get("address") {
            let a = prefixed(prefix, a);
            obj.insert("address".into(), Value::String(a));
        }
        let module = match obj.get("module_address").and_then(Value::as_str) {
            Some(m) => prefixed(prefix, m),
            None => prefix.to_string(),
        };
        obj.insert("module_address".into(), Value::String(module));
    }
    r
}

/// A plan with exactly `resources` resource changes (JSON text).
pub fn generate(resources: usize) -> String {
    let template: Value = serde_json::from_str(TEMPLATE).expect("template plan");
    let changes = template["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let planned = collect_planned(&template["planned_values"]["root_module"]);
    let per_stack = changes.len().max(1);
    let stacks = resources.div_ceil(per_stack);

    let mut out_changes = Vec::with_capacity(resources);
    let mut child_modules = Vec::with_capacity(stacks);
    let mut keys = Map::new();
    for s in 0..stacks {
        let key = format!("s{s:05}");
        keys.insert(key.clone(), json!({ "name": key }));
        let prefix = format!("module.stack[\"{key}\"]");
        let take = per_stack.min(resources - s * per_stack);
        out_changes.extend(changes.iter().take(take).map(|c| rename(c, &prefix)));
        let kept: Vec<Value> = planned
            .iter()
            .filter(|p| {
                changes
                    .iter()
                    .take(take)
                    .any(|c| c["address"] == p["address"])
            })
            .map(|p| rename(p, &prefix))
            .collect();
        child_modules.push(json!({ "address": prefix, "resources": kept }));
    }

    let root_config = template["configuration"]["root_module"].clone();
    // Sections in the order `terraform show -json` writes them.
    let sections: Vec<(&str, Value)> = vec![
        ("format_version", template["format_version"].clone()),
        ("terraform_version", template["terraform_version"].clone()),
        ("variables", template["variables"].clone()),
        (
            "planned_values",
            json!({ "root_module": { "child_modules": child_modules } }),
        ),
        ("resource_changes", Value::Array(out_changes)),
        (
            "configuration",
            json!({
            "provider_config": template["configuration"]["provider_config"],
            "root_module": {
                "module_calls": {
                    "stack": {
                        "source": "./stack",
                        "for_each_expression": { "constant_value": Value::Object(keys) },
                        "module": root_config,
                    }
                }
            }
            }),
        ),
        ("timestamp", template["timestamp"].clone()),
        ("applyable", Value::Bool(true)),
        ("complete", Value::Bool(true)),
        ("errored", Value::Bool(false)),
    ];
    let mut out = String::from("{");
    for (i, (key, value)) in sections.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("{key:?}:"));
        out.push_str(&serde_json::to_string(value).expect("serializes"));
    }
    out.push('}');
    out
}

/// Every resource of a planned_values module tree, flattened.
fn collect_planned(module: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = module["resources"].as_array().cloned().unwrap_or_default();
    for child in module["child_modules"].as_array().into_iter().flatten() {
        out.extend(collect_planned(child));
    }
    out
}

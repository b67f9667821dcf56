//! "The documented X exist": shared by the rules that require named resources
//! (log groups, secrets).

use crate::model::{BodyType, Field, ResId, Unknown};

use super::Check;

/// What a rule requires by name.
pub struct Documented<'a, T> {
    /// The documented names.
    pub names: &'a [String],
    /// The name of a resource.
    pub name_of: fn(&T) -> &Field<String>,
    /// Terraform type of a missing one.
    pub resource_type: &'static str,
    /// "log group", "secret".
    pub label: &'static str,
    /// Message and help for a missing name.
    pub missing: fn(&str) -> (String, String),
}

/// Each documented name passes on the resources carrying it, fails as missing, or — when
/// some resource's name is unknown and could be it — is unknown on those resources.
pub fn require<T: BodyType>(c: &mut Check<'_>, d: &Documented<'_, T>) {
    let inv = c.inv;
    // Resources whose name is unknown, and the documented names each could be.
    let mut maybe: Vec<(ResId, Unknown, Vec<String>)> = inv
        .all::<T>()
        .filter_map(|r| {
            (d.name_of)(&r)
                .unknown()
                .map(|u| (r.id, u.clone(), Vec::new()))
        })
        .collect();
    for want in d.names {
        let found: Vec<ResId> = inv
            .all::<T>()
            .filter(|r| (d.name_of)(r).get().is_some_and(|n| n == want))
            .map(|r| r.id)
            .collect();
        if !found.is_empty() {
            found.into_iter().for_each(|id| c.pass(id));
        } else if !maybe.is_empty() {
            maybe
                .iter_mut()
                .for_each(|(_, _, names)| names.push(want.clone()));
        } else {
            let (message, help) = (d.missing)(want);
            c.missing(T::KIND, d.resource_type, want.clone(), message, help);
        }
    }
    for (id, why, names) in maybe {
        if !names.is_empty() {
            let what = format!(
                "whether this {} is the documented {}",
                d.label,
                names.join(" or ")
            );
            c.unknown(id, Some("name"), &what, &why);
        }
    }
}

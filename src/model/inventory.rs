//! The inventory: every resource a source read, indexed for reference resolution.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{BodyType, Field, Kind, Origin, RefTarget, Refs, Resource, Unknown};

/// Index of a resource in its inventory.
pub type ResId = usize;

/// One input of a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Input {
    pub kind: Origin,
    pub path: String,
}

/// Something a source could not read: the kinds it would have held and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub kinds: Vec<Kind>,
    pub reason: Unknown,
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub inputs: Vec<Input>,
    /// The AWS account a live or aggregator inventory describes (findings about something
    /// missing carry it).
    pub account: Option<String>,
    /// IAM actions the source was denied while reading (a live scan; its gaps name them
    /// too), sorted: the report lists them.
    pub missing_permissions: Vec<String>,
    /// Waivers declared in the configuration (`# cbaudit:waive` comments).
    pub waivers: Vec<super::DeclaredWaiver>,
    resources: Vec<Resource>,
    gaps: Vec<Gap>,
    by_address: HashMap<String, ResId>,
    by_group: HashMap<String, Vec<ResId>>,
    by_identifier: HashMap<String, Vec<ResId>>,
    /// The resources of each kind, in input order (indexed by `Kind as usize`): rules
    /// that look up one kind per resource of another stay linear in the inventory.
    by_kind: Vec<Vec<ResId>>,
    /// The kinds read since the last [`Inventory::take_touched`] (one bit per [`Kind`]):
    /// the engine learns which kinds a rule needed, to judge it against the source's gaps.
    touched: AtomicU64,
    /// Which resources belong to the architecture (one flag per resource), when the engine
    /// scoped a live or aggregator scan; `None`: every resource does.
    scope: Mutex<Option<Arc<[bool]>>>,
    /// While set, [`Inventory::all`] yields only resources in scope (a rule of architecture
    /// scope is running). References still resolve to anything in the inventory.
    scoped_view: AtomicBool,
}

const _: () = assert!(Kind::COUNT <= 64, "one bit per kind in Inventory::touched");

/// A typed view of one resource.
pub struct View<'a, T> {
    pub id: ResId,
    pub resource: &'a Resource,
    pub data: &'a T,
}

impl<T> Clone for View<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for View<'_, T> {}

impl<T> Deref for View<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.data
    }
}

impl<T> View<'_, T> {
    pub fn address(&self) -> &str {
        self.resource.address()
    }
}

/// What a reference resolves to.
pub enum Resolution<'a, T> {
    /// The attribute is not set.
    Absent,
    Unknown(Unknown),
    Known {
        found: Vec<View<'a, T>>,
        /// Identifiers that name nothing in the inventory (resources managed elsewhere).
        external: Vec<String>,
    },
}

impl<'a, T> Resolution<'a, T> {
    /// Every target resolved to a resource of the inventory, or why not.
    pub fn complete(self) -> Result<Vec<View<'a, T>>, Unknown> {
        match self {
            Resolution::Absent => Ok(Vec::new()),
            Resolution::Unknown(u) => Err(u),
            Resolution::Known { found, external } => match external.first() {
                None => Ok(found),
                Some(first) => Err(Unknown::NotInInputs(format!("referenced resource {first}"))),
            },
        }
    }
}

/// The resource ids a resolution has already found: a linear scan while there are few
/// (the usual case), a hash set once there are many (a name shared by many resources).
#[derive(Default)]
struct Seen(Option<rustc_hash::FxHashSet<ResId>>, usize);

impl Seen {
    /// Records `id`; false if it was already found. `found` lists what was found so far.
    fn insert<I: Iterator<Item = ResId>>(&mut self, id: ResId, found: impl Fn() -> I) -> bool {
        const LINEAR: usize = 16;
        if let Some(set) = &mut self.0 {
            return set.insert(id);
        }
        if found().any(|f| f == id) {
            return false;
        }
        self.1 += 1;
        if self.1 > LINEAR {
            let mut set: rustc_hash::FxHashSet<ResId> = found().collect();
            set.insert(id);
            self.0 = Some(set);
        }
        true
    }
}

/// The type and name of an IAM role, policy, user or group ARN
/// (`arn:aws:iam::123456789012:role/service/task` → `("role", "task")`), any account.
pub fn iam_arn_name(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (prefix, _partition, service, region, _account, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if prefix != "arn" || service != "iam" || !region.is_empty() {
        return None;
    }
    let (kind, path) = rest.split_once('/')?;
    let name = path.rsplit('/').next()?;
    (matches!(kind, "role" | "policy" | "user" | "group")
        && !name.is_empty()
        && !name.contains('*'))
    .then_some((kind, name))
}

/// Strips a trailing instance key: `aws_subnet.app["a"]` → `aws_subnet.app`.
pub fn group_address(address: &str) -> &str {
    if address.ends_with(']') {
        if let Some(open) = address.rfind('[') {
            return &address[..open];
        }
    }
    address
}

impl Inventory {
    pub fn new() -> Inventory {
        Inventory::default()
    }

    /// Adds a resource. Later resources with an address already present replace nothing:
    /// both stay (two inputs may hold the same address); lookups by address find the first.
    pub fn push(&mut self, resource: Resource) -> ResId {
        let id = self.resources.len();
        let address = resource.address().to_string();
        if self.by_kind.is_empty() {
            self.by_kind = vec![Vec::new(); Kind::COUNT];
        }
        self.by_kind[resource.body.kind() as usize].push(id);
        self.by_group
            .entry(group_address(&address).to_string())
            .or_default()
            .push(id);
        self.by_address.entry(address).or_insert(id);
        for ident in &resource.identifiers {
            self.by_identifier
                .entry(ident.clone())
                .or_default()
                .push(id);
        }
        self.resources.push(resource);
        id
    }

    pub fn add_gap(&mut self, gap: Gap) {
        self.gaps.push(gap);
    }

    /// Why resources of `tag` may be missing from the inventory (a denied live call).
    pub fn gap(&self, tag: Kind) -> Option<&Unknown> {
        self.touch(tag);
        self.gaps
            .iter()
            .find(|g| g.kinds.contains(&tag))
            .map(|g| &g.reason)
    }

    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    fn touch(&self, tag: Kind) {
        self.touched.fetch_or(1 << tag as u64, Ordering::Relaxed);
    }

    /// The kinds read since the last call, and resets the record.
    pub fn take_touched(&self) -> Vec<Kind> {
        let bits = self.touched.swap(0, Ordering::Relaxed);
        Kind::ALL
            .iter()
            .copied()
            .filter(|&t| bits & (1 << t as u64) != 0)
            .collect()
    }

    /// Marks which resources belong to the architecture (`None`: all of them).
    pub fn set_scope(&self, in_scope: Option<Vec<bool>>) {
        *self.scope.lock().unwrap_or_else(|e| e.into_inner()) = in_scope.map(Arc::from);
    }

    /// While `on`, [`Inventory::all`] yields only resources in scope.
    pub fn set_scoped_view(&self, on: bool) {
        self.scoped_view.store(on, Ordering::Relaxed);
    }

    fn view(&self) -> Option<Arc<[bool]>> {
        if !self.scoped_view.load(Ordering::Relaxed) {
            return None;
        }
        self.scope.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether resource `id` belongs to the architecture (always, unless scoped).
    pub fn in_scope(&self, id: ResId) -> bool {
        self.scope
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_none_or(|s| s.get(id).copied().unwrap_or(true))
    }

    /// How many resources the scope leaves out.
    pub fn out_of_scope(&self) -> usize {
        self.scope
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or(0, |s| s.iter().filter(|&&b| !b).count())
    }

    /// The resources a reference names, of any kind (identifiers naming nothing are left
    /// out).
    pub fn resolve_any(&self, refs: &Refs) -> Vec<ResId> {
        let targets = match refs {
            Field::Known(t) | Field::Sensitive(t) => t,
            _ => return Vec::new(),
        };
        let mut ids = Vec::new();
        for target in targets {
            let found: &[ResId] = match target {
                RefTarget::Address(address) => self.addressed(address),
                RefTarget::Ident(ident) => self
                    .by_identifier
                    .get(ident.as_str())
                    .map_or(&[], Vec::as_slice),
            };
            let mut seen = Seen::default();
            for &id in found {
                if seen.insert(id, || ids.iter().copied()) {
                    ids.push(id);
                }
            }
        }
        ids
    }

    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// For sources that refine what they pushed (locations); identities must not change.
    pub fn resources_mut(&mut self) -> &mut [Resource] {
        &mut self.resources
    }

    pub fn get(&self, id: ResId) -> &Resource {
        &self.resources[id]
    }

    pub fn by_address(&self, address: &str) -> Option<&Resource> {
        self.by_address.get(address).map(|&id| &self.resources[id])
    }

    /// Every resource of kind `T`, in input order (in scope only, while a rule of
    /// architecture scope runs on a scoped inventory).
    pub fn all<T: BodyType>(&self) -> impl Iterator<Item = View<'_, T>> {
        self.touch(T::KIND);
        let view = self.view();
        let ids: &[ResId] = self
            .by_kind
            .get(T::KIND as usize)
            .map_or(&[], Vec::as_slice);
        ids.iter().filter_map(move |&id| {
            if view
                .as_ref()
                .is_some_and(|v| !v.get(id).copied().unwrap_or(true))
            {
                return None;
            }
            let resource = &self.resources[id];
            T::from_body(&resource.body).map(|data| View { id, resource, data })
        })
    }

    pub fn typed<T: BodyType>(&self, id: ResId) -> Option<View<'_, T>> {
        self.touch(T::KIND);
        let resource = &self.resources[id];
        T::from_body(&resource.body).map(|data| View { id, resource, data })
    }

    fn push_typed<'a, T: BodyType>(
        &'a self,
        id: ResId,
        found: &mut Vec<View<'a, T>>,
        seen: &mut Seen,
    ) -> bool {
        let resource = &self.resources[id];
        match T::from_body(&resource.body) {
            Some(data) => {
                if seen.insert(id, || found.iter().map(|f| f.id)) {
                    found.push(View { id, resource, data });
                }
                true
            }
            None => false,
        }
    }

    /// The resources an address names: one instance, or every instance of a group.
    fn addressed(&self, address: &str) -> &[ResId] {
        match self.by_address.get(address) {
            Some(id) if !self.by_group.contains_key(address) => std::slice::from_ref(id),
            _ => self.by_group.get(address).map_or(&[], Vec::as_slice),
        }
    }

    /// An IAM ARN built as a string (`arn:aws:iam::${var.account}:role/task`) names the
    /// IAM resource of that type and name whose own ARN is not known yet (a plan or `.tf`
    /// files): IAM names are unique per account, and the configuration is one account. A
    /// resource whose ARN is known is matched by that ARN only.
    fn by_iam_arn_name<'a, T: BodyType>(
        &'a self,
        ident: &str,
        found: &mut Vec<View<'a, T>>,
        seen: &mut Seen,
    ) -> bool {
        let Some((kind, name)) = iam_arn_name(ident) else {
            return false;
        };
        let Some(ids) = self.by_identifier.get(name) else {
            return false;
        };
        let mut any = false;
        for &id in ids {
            let r = &self.resources[id];
            let arn_unknown = !r.identifiers.iter().any(|i| i.starts_with("arn:"));
            let same_type = r
                .resource_type
                .strip_prefix("aws_iam_")
                .is_some_and(|t| t == kind);
            if arn_unknown && same_type {
                any |= self.push_typed(id, found, seen);
            }
        }
        any
    }

    /// Resolves a reference to resources of kind `T`.
    ///
    /// Addresses that name resources of another kind are ignored (a configuration's
    /// references list everything an expression mentions); identifiers that name nothing
    /// are reported as external.
    pub fn resolve<T: BodyType>(&self, refs: &Refs) -> Resolution<'_, T> {
        self.touch(T::KIND);
        let targets = match refs {
            Field::Absent => return Resolution::Absent,
            Field::Unknown(u) => return Resolution::Unknown(u.clone()),
            Field::Known(t) | Field::Sensitive(t) => t,
        };
        let mut found: Vec<View<'_, T>> = Vec::new();
        let mut seen = Seen::default();
        let mut external = Vec::new();
        let mut addressed_other_kinds = false;
        for target in targets {
            match target {
                RefTarget::Address(address) => {
                    let mut any = false;
                    for &id in self.addressed(address) {
                        any |= self.push_typed(id, &mut found, &mut seen);
                    }
                    addressed_other_kinds |= !any;
                }
                RefTarget::Ident(ident) => {
                    let mut any = false;
                    if let Some(ids) = self.by_identifier.get(ident.as_str()) {
                        for &id in ids {
                            any |= self.push_typed(id, &mut found, &mut seen);
                        }
                    }
                    if !any {
                        any = self.by_iam_arn_name(ident, &mut found, &mut seen);
                    }
                    if !any {
                        external.push(ident.clone());
                    }
                }
            }
        }
        if found.is_empty() && external.is_empty() && addressed_other_kinds {
            return Resolution::Unknown(Unknown::NotInInputs(format!(
                "the {} it refers to",
                T::KIND.label()
            )));
        }
        Resolution::Known { found, external }
    }
}

impl Inventory {
    /// Resolves a list of references completely (an absent attribute is an empty list), or
    /// says why not (unknown, or a target outside the inputs).
    pub fn resolve_all<T: BodyType>(&self, refs: &Refs) -> Result<Vec<View<'_, T>>, Unknown> {
        self.resolve::<T>(refs).complete()
    }

    /// Resolves a reference that names one resource: `Ok(None)` when it is not set (or names
    /// nothing), `Err` when it is unknown or names a resource outside the inputs.
    pub fn resolve_one<T: BodyType>(&self, refs: &Refs) -> Result<Option<View<'_, T>>, Unknown> {
        match self.resolve::<T>(refs) {
            Resolution::Absent => Ok(None),
            Resolution::Unknown(u) => Err(u),
            Resolution::Known { found, external } => match (found.first(), external.first()) {
                (Some(r), _) => Ok(Some(*r)),
                (None, Some(ext)) => {
                    Err(Unknown::NotInInputs(format!("referenced resource {ext}")))
                }
                (None, None) => Ok(None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, SnsTopic};

    #[test]
    fn a_name_many_resources_share_resolves_to_each_once() {
        let mut inv = Inventory::new();
        for n in 0..40 {
            inv.push(
                Resource::new(
                    "aws_sns_topic",
                    format!("module.m[{n}].aws_sns_topic.alerts"),
                    SnsTopic::default(),
                )
                .with_identifiers(["alerts"]),
            );
        }
        let refs = Field::Known(vec![
            ident("alerts"),
            RefTarget::Address("module.m[3].aws_sns_topic.alerts".into()),
            ident("alerts"),
        ]);
        let Resolution::Known { found, external } = inv.resolve::<SnsTopic>(&refs) else {
            panic!("known");
        };
        let ids: Vec<ResId> = found.iter().map(|f| f.id).collect();
        assert_eq!(ids, (0..40).collect::<Vec<_>>());
        assert!(external.is_empty());
        assert_eq!(inv.resolve_any(&refs), (0..40).collect::<Vec<_>>());
        assert_eq!(inv.all::<SnsTopic>().count(), 40);
    }
}

//! Seeds moto with an architecture through the AWS SDK for Rust, driven by the plan
//! fixture's own model: every plan resource becomes the AWS objects it declares, so the
//! live account mirrors the plan exactly. Each area has its own module; `seed_all` runs
//! them in dependency order.

use std::collections::HashMap;
use std::path::Path;

use aws_config::SdkConfig;
use cbaudit::model::{BodyType, Field, Inventory, Refs, ResId, Tags};

use super::harness::{ACCOUNT, REGION};

pub struct Seeder {
    /// Pointed at moto, test credentials, region [`REGION`].
    pub sdk: SdkConfig,
    /// The plan fixture's model.
    pub plan: Inventory,
    pub account: String,
    pub region: String,
    live_ids: HashMap<ResId, String>,
    owners: HashMap<String, String>,
    /// (rule, plan address, why): where moto could not hold what the plan declares.
    pub deviations: Vec<(String, String, String)>,
    /// Leave AWS's default VPC in place (as a real account has it) rather than deleting it
    /// when the plan does not adopt it.
    pub keep_default_vpc: bool,
}

impl Seeder {
    pub fn new(sdk: SdkConfig, plan_dir: &Path) -> Seeder {
        let plan =
            cbaudit::source::load(&[plan_dir.join("plan.json")]).expect("the fixture plan loads");
        Seeder {
            sdk,
            plan,
            account: ACCOUNT.to_string(),
            region: REGION.to_string(),
            live_ids: HashMap::new(),
            owners: HashMap::new(),
            deviations: Vec::new(),
            keep_default_vpc: false,
        }
    }

    /// Plan resource `id` became the live object others refer to by `live_id`
    /// (`vpc-…`, an ARN, a name: whatever the live model's references use).
    pub fn created(&mut self, id: ResId, live_id: impl Into<String>) {
        self.live_ids.insert(id, live_id.into());
    }

    pub fn live_id(&self, id: ResId) -> Option<&str> {
        self.live_ids.get(&id).map(String::as_str)
    }

    /// The live source will report `live_address` (the address the live reader gives it)
    /// for what plan resource `id` declared. Several live objects may come from one plan
    /// resource (inline rules of a security group).
    pub fn owns(&mut self, live_address: impl Into<String>, id: ResId) {
        let address = self.plan.get(id).address().to_string();
        self.owners.insert(live_address.into(), address);
    }

    /// moto could not hold what plan resource `id` declares, so `rule`'s verdict on it may
    /// differ live (the comparison leaves that pair out, and says so).
    pub fn deviates(&mut self, id: ResId, rule: &str, why: &str) {
        let address = self.plan.get(id).address().to_string();
        eprintln!("seed: {address}: {why}; {rule} is not compared there");
        self.deviations
            .push((rule.to_string(), address, why.to_string()));
    }

    /// The plan address a live address stands for, if the seeder created it.
    pub fn owner(&self, live_address: &str) -> Option<&str> {
        self.owners.get(live_address).map(String::as_str)
    }

    /// The live ids of the `T` resources a plan reference names (those seeded so far).
    pub fn ids<T: BodyType>(&self, refs: &Refs) -> Vec<String> {
        match self.plan.resolve::<T>(refs) {
            cbaudit::model::Resolution::Known { found, external } => found
                .iter()
                .filter_map(|r| self.live_id(r.id).map(str::to_string))
                .chain(external)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The plan's `T` resources (id and model), copied: the seeder changes while it seeds
    /// them.
    pub fn plan_all<T: BodyType + Clone>(&self) -> Vec<(ResId, T)> {
        self.plan
            .all::<T>()
            .map(|r| (r.id, r.data.clone()))
            .collect()
    }

    /// [`Seeder::plan_all`], with each resource's tags.
    pub fn plan_all_tagged<T: BodyType + Clone>(&self) -> Vec<(ResId, T, Field<Tags>)> {
        let all = self.plan.all::<T>();
        all.map(|r| (r.id, r.data.clone(), r.resource.tags.clone()))
            .collect()
    }

    /// `arn:aws:<service>:<region>:<account>:<resource>`.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            self.region, self.account
        )
    }
}

/// Seeds every area, in dependency order.
pub async fn seed_all(s: &mut Seeder) {
    super::seed_network::seed(s).await;
    super::seed_identity::seed(s).await;
    super::seed_storage::seed(s).await;
    super::seed_audit::seed_logs(s).await;
    super::seed_edge::seed(s).await;
    super::seed_compute::seed(s).await;
    super::seed_database::seed(s).await;
    super::seed_audit::seed(s).await;
}

//! The one vocabulary: typed resources with three-state fields, provenance and references.
//!
//! Sources (`crate::source`) build an [`Inventory`]; rules (`crate::rules`) read it.

mod audit;
mod compute;
mod database;
pub mod defaults;
mod edge;
mod field;
mod flow;
pub mod grammar;
mod identity;
mod inventory;
mod network;
mod provenance;
mod reference;
mod storage;
mod waiver;

use std::collections::BTreeMap;

pub use audit::*;
pub use compute::*;
pub use database::*;
pub use edge::*;
pub use field::*;
pub use flow::*;
pub use identity::*;
pub use inventory::*;
pub use network::*;
pub use provenance::*;
pub use reference::*;
pub use storage::*;
pub use waiver::*;

pub type Tags = BTreeMap<String, String>;

/// Declares the resource kinds: the `Body` enum, its `Kind`, and `BodyType` impls.
macro_rules! resource_kinds {
    ($($variant:ident => $label:literal),* $(,)?) => {
        /// The typed body of a resource.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Body {
            $($variant($variant),)*
        }

        /// A resource kind without its body.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $($variant,)*
        }

        impl Body {
            pub fn kind(&self) -> Kind {
                match self {
                    $(Body::$variant(_) => Kind::$variant,)*
                }
            }
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];
            pub const COUNT: usize = Self::ALL.len();

            /// A human label: "security group", "DB instance".
            pub fn label(self) -> &'static str {
                match self {
                    $(Kind::$variant => $label,)*
                }
            }
        }

        $(
            impl BodyType for $variant {
                const KIND: Kind = Kind::$variant;
                fn from_body(kind: &Body) -> Option<&Self> {
                    match kind {
                        Body::$variant(v) => Some(v),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
            impl From<$variant> for Body {
                fn from(v: $variant) -> Body {
                    Body::$variant(v)
                }
            }
        )*
    };
}

/// Implemented by every typed resource body.
pub trait BodyType: Sized + 'static {
    const KIND: Kind;
    fn from_body(kind: &Body) -> Option<&Self>;
}

resource_kinds! {
    Vpc => "VPC",
    Subnet => "subnet",
    RouteTable => "route table",
    RouteEntry => "route",
    RouteTableAssociation => "route table association",
    MainRouteTableAssociation => "main route table association",
    InternetGateway => "internet gateway",
    NatGateway => "NAT gateway",
    FlowLog => "flow log",
    SecurityGroup => "security group",
    SecurityGroupRule => "security group rule",
    LoadBalancer => "load balancer",
    Listener => "listener",
    TargetGroup => "target group",
    WebAcl => "web ACL",
    WebAclAssociation => "web ACL association",
    EcsCluster => "ECS cluster",
    EcsService => "ECS service",
    TaskDefinition => "task definition",
    ScalableTarget => "scalable target",
    ScalingPolicy => "scaling policy",
    EcrRepository => "ECR repository",
    EcrLifecyclePolicy => "ECR lifecycle policy",
    EcrRegistryScanning => "ECR registry scanning configuration",
    DbInstance => "DB instance",
    DbCluster => "DB cluster",
    DbSubnetGroup => "DB subnet group",
    DbParameterGroup => "DB parameter group",
    IamRole => "IAM role",
    IamPolicy => "IAM policy",
    IamInlinePolicy => "inline IAM policy",
    IamPolicyAttachment => "IAM policy attachment",
    PolicyDocumentData => "IAM policy document",
    Secret => "secret",
    Bucket => "S3 bucket",
    BucketVersioning => "bucket versioning",
    BucketEncryption => "bucket encryption",
    BucketPublicAccessBlock => "bucket public access block",
    AccountPublicAccessBlock => "account public access block",
    BucketReplication => "bucket replication",
    LogGroup => "log group",
    Trail => "CloudTrail trail",
    GuardDutyDetector => "GuardDuty detector",
    ConfigRecorder => "Config recorder",
    ConfigRecorderStatus => "Config recorder status",
    ConfigRule => "Config rule",
    MetricAlarm => "metric alarm",
    SnsTopic => "SNS topic",
    SnsSubscription => "SNS subscription",
}

/// One resource of the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The Terraform type (`aws_db_instance`); live resources use the equivalent type.
    pub resource_type: String,
    pub provenance: Provenance,
    /// Known identifiers other resources may use for it: id, ARN, name.
    pub identifiers: Vec<String>,
    /// Tags including provider default tags; unknown when the plan does not know them.
    pub tags: Field<Tags>,
    pub body: Body,
    /// Sensitive values the source saw in this resource: never shown, not even in a
    /// source snippet.
    pub secrets: Vec<String>,
}

impl Resource {
    pub fn address(&self) -> &str {
        &self.provenance.address
    }

    /// The value of tag `key`, if tags are known.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.get().and_then(|t| t.get(key)).map(String::as_str)
    }
}

impl Resource {
    /// A resource with no identifiers and no tags (tests and simple sources).
    pub fn new(
        resource_type: impl Into<String>,
        address: impl Into<String>,
        kind: impl Into<Body>,
    ) -> Resource {
        Resource {
            resource_type: resource_type.into(),
            provenance: Provenance::new(Origin::Plan, address, std::sync::Arc::from("test")),
            identifiers: Vec::new(),
            tags: Field::Known(Tags::new()),
            body: kind.into(),
            secrets: Vec::new(),
        }
    }

    pub fn with_identifiers<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        ids: I,
    ) -> Resource {
        self.identifiers.extend(ids.into_iter().map(Into::into));
        self
    }

    pub fn with_tags<I: IntoIterator<Item = (K, V)>, K: Into<String>, V: Into<String>>(
        mut self,
        tags: I,
    ) -> Resource {
        self.tags = Field::Known(
            tags.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    pub fn in_region(mut self, region: impl Into<String>) -> Resource {
        self.provenance.region = Some(region.into());
        self
    }

    /// The name a person knows it by: the `Name` tag, else the first identifier.
    pub fn display_name(&self) -> Option<&str> {
        self.tag("Name")
            .or_else(|| self.identifiers.first().map(String::as_str))
    }
}

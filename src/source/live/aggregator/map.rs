//! AWS Config configuration items → model. Items carry the describe API's shape in
//! camelCase for older resource types (`cidrBlock`, `ipPermissions`) and the CloudFormation
//! schema in PascalCase for newer ones (`LogGroupName`); keys are matched without regard to
//! the case of their first letter. S3 buckets carry their settings in
//! `supplementaryConfiguration`, whose values are JSON objects or JSON strings.

use std::sync::Arc;

use ipnetwork::IpNetwork;
use serde_json::Value;

use crate::model::{
    AccountPublicAccessBlock, Body, Bucket, BucketEncryption, BucketPublicAccessBlock,
    BucketReplication, BucketVersioning, DbCluster, DbInstance, Direction, Field, InternetGateway,
    Kind, Listener, ListenerAction, LoadBalancer, LogGroup, NatGateway, Origin, Peer, PortRange,
    Protocol, Provenance, PublicAccessBlockFlags, RefTarget, Refs, ReplicationRule, Resource,
    RouteTable, RouteTableAssociation, SecurityGroup, SecurityGroupFlow, Subnet, Tags, Trail,
    Unknown, Vpc,
};

/// The configuration item types read (AWS Config's resource types).
pub const RESOURCE_TYPES: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway",
    "AWS::EC2::SecurityGroup",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::S3::Bucket",
    "AWS::S3::AccountPublicAccessBlock",
    "AWS::Logs::LogGroup",
    "AWS::CloudTrail::Trail",
];

/// The model kinds those items fill.
pub const MAPPED_KINDS: &[Kind] = &[
    Kind::Vpc,
    Kind::Subnet,
    Kind::RouteTable,
    Kind::RouteTableAssociation,
    Kind::InternetGateway,
    Kind::NatGateway,
    Kind::SecurityGroup,
    Kind::SecurityGroupRule,
    Kind::LoadBalancer,
    Kind::Listener,
    Kind::DbInstance,
    Kind::DbCluster,
    Kind::Bucket,
    Kind::BucketVersioning,
    Kind::BucketEncryption,
    Kind::BucketPublicAccessBlock,
    Kind::BucketReplication,
    Kind::AccountPublicAccessBlock,
    Kind::LogGroup,
    Kind::Trail,
];

/// `key` in `v`, whatever the case of its first letter.
fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    let Some(map) = v.as_object() else {
        return &NULL;
    };
    if let Some(x) = map.get(key) {
        return x;
    }
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map_or(&NULL, |(_, x)| x)
}

fn string(v: &Value) -> Field<String> {
    match v {
        Value::String(s) => Field::Known(s.clone()),
        Value::Number(n) => Field::Known(n.to_string()),
        _ => Field::Absent,
    }
}

fn int(v: &Value) -> Field<i64> {
    match v {
        Value::Number(n) => n.as_i64().map_or(Field::Absent, Field::Known),
        Value::String(s) => s.parse().map_or(Field::Absent, Field::Known),
        _ => Field::Absent,
    }
}

fn boolean(v: &Value) -> Field<bool> {
    match v {
        Value::Bool(b) => Field::Known(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Field::Known(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Field::Known(false),
        _ => Field::Absent,
    }
}

fn refs<'a>(ids: impl IntoIterator<Item = &'a Value>) -> Refs {
    Field::Known(
        ids.into_iter()
            .filter_map(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(|s| RefTarget::Ident(s.to_string()))
            .collect(),
    )
}

fn one_ref(v: &Value) -> Refs {
    match v.as_str() {
        Some(s) if !s.is_empty() => Field::Known(vec![RefTarget::Ident(s.to_string())]),
        _ => Field::Absent,
    }
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// A JSON value that may arrive as a string holding JSON.
fn json(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// Tags as a map (`{"Name": "x"}`) or a list of `{key, value}`.
fn tags(v: &Value) -> Tags {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|t| {
                Some((
                    get(t, "key").as_str()?.to_string(),
                    get(t, "value").as_str().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
        _ => Tags::new(),
    }
}

struct Item<'a> {
    input: &'a Arc<str>,
    account: String,
    region: String,
    arn: String,
    ids: Vec<String>,
    tags: Tags,
}

impl Item<'_> {
    fn resource(&self, resource_type: &str, address: String, kind: impl Into<Body>) -> Resource {
        let mut identifiers = self.ids.clone();
        if !identifiers.contains(&address) {
            identifiers.push(address.clone());
        }
        Resource {
            resource_type: resource_type.to_string(),
            provenance: Provenance::new(Origin::Aggregator, address, self.input.clone())
                .in_account(&self.account, &self.region),
            identifiers,
            tags: Field::Known(self.tags.clone()),
            body: kind.into(),
            secrets: Vec::new(),
        }
    }

    fn main(&self, resource_type: &str, kind: impl Into<Body>) -> Resource {
        self.resource(resource_type, self.arn.clone(), kind)
    }
}

/// The resources one configuration item holds (none for a deleted or unmapped item).
pub fn map_item(item: &Value, input: &Arc<str>) -> Vec<Resource> {
    let ty = get(item, "resourceType").as_str().unwrap_or_default();
    let conf = json(get(item, "configuration"));
    if conf.is_null() {
        return Vec::new(); // ResourceDeleted / ResourceNotRecorded
    }
    let account = get(item, "accountId")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let region = get(item, "awsRegion")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let resource_id = get(item, "resourceId")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let arn = get(item, "arn")
        .as_str()
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("config:{ty}/{account}/{region}/{resource_id}"));
    let mut ids = vec![resource_id.clone()];
    if let Some(name) = get(item, "resourceName").as_str() {
        if !name.is_empty() && !ids.iter().any(|i| i == name) {
            ids.push(name.to_string());
        }
    }
    let mut tag_map = tags(get(item, "tags"));
    if tag_map.is_empty() {
        tag_map = tags(get(&conf, "tags"));
    }
    let it = Item {
        input,
        account,
        region,
        arn,
        ids,
        tags: tag_map,
    };
    let c = &conf;
    match ty {
        "AWS::EC2::VPC" => {
            // The configuration item records DescribeVpcs' `isDefault`.
            let default = boolean(get(c, "isDefault")).get() == Some(&true);
            vec![it.main(
                if default {
                    "aws_default_vpc"
                } else {
                    "aws_vpc"
                },
                Vpc {
                    cidr: cidr(get(c, "cidrBlock")),
                    default,
                },
            )]
        }
        "AWS::EC2::Subnet" => vec![it.main(
            "aws_subnet",
            Subnet {
                vpc: one_ref(get(c, "vpcId")),
                cidr: cidr(get(c, "cidrBlock")),
                availability_zone: string(get(c, "availabilityZone")),
                map_public_ip_on_launch: boolean(get(c, "mapPublicIpOnLaunch")),
            },
        )],
        "AWS::EC2::RouteTable" => route_table(&it, c),
        "AWS::EC2::InternetGateway" => vec![it.main(
            "aws_internet_gateway",
            InternetGateway {
                vpc: refs(list(get(c, "attachments")).iter().map(|a| get(a, "vpcId"))),
            },
        )],
        "AWS::EC2::NatGateway" => {
            if string(get(c, "state"))
                .get()
                .is_some_and(|s| s == "deleted")
            {
                return Vec::new();
            }
            vec![it.main(
                "aws_nat_gateway",
                NatGateway {
                    subnet: one_ref(get(c, "subnetId")),
                    connectivity_type: string(get(c, "connectivityType")),
                },
            )]
        }
        "AWS::EC2::SecurityGroup" => {
            let mut flows = Vec::new();
            for p in list(get(c, "ipPermissions")) {
                flows.extend(permission(p, Direction::Ingress));
            }
            for p in list(get(c, "ipPermissionsEgress")) {
                flows.extend(permission(p, Direction::Egress));
            }
            vec![it.main(
                "aws_security_group",
                SecurityGroup {
                    name: string(get(c, "groupName")),
                    vpc: one_ref(get(c, "vpcId")),
                    flows,
                },
            )]
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => vec![it.main(
            "aws_lb",
            LoadBalancer {
                name: string(get(c, "loadBalancerName")),
                load_balancer_type: string(get(c, "type")),
                internal: string(get(c, "scheme")).map(|s| s == "internal"),
                subnets: refs(
                    list(get(c, "availabilityZones"))
                        .iter()
                        .map(|z| get(z, "subnetId")),
                ),
                security_groups: refs(list(get(c, "securityGroups"))),
            },
        )],
        "AWS::ElasticLoadBalancingV2::Listener" => vec![it.main(
            "aws_lb_listener",
            Listener {
                load_balancer: one_ref(get(c, "LoadBalancerArn")),
                port: int(get(c, "Port")),
                protocol: string(get(c, "Protocol")),
                ssl_policy: string(get(c, "SslPolicy")),
                default_actions: Field::Known(
                    list(get(c, "DefaultActions")).iter().map(action).collect(),
                ),
            },
        )],
        "AWS::RDS::DBInstance" => vec![it.main("aws_db_instance", db_instance(c))],
        "AWS::RDS::DBCluster" => vec![it.main("aws_rds_cluster", db_cluster(c))],
        "AWS::S3::Bucket" => bucket(&it, c, &json(get(item, "supplementaryConfiguration"))),
        "AWS::S3::AccountPublicAccessBlock" => vec![it.main(
            "aws_s3_account_public_access_block",
            AccountPublicAccessBlock {
                flags: PublicAccessBlockFlags {
                    block_public_acls: boolean(get(c, "blockPublicAcls")),
                    block_public_policy: boolean(get(c, "blockPublicPolicy")),
                    ignore_public_acls: boolean(get(c, "ignorePublicAcls")),
                    restrict_public_buckets: boolean(get(c, "restrictPublicBuckets")),
                },
            },
        )],
        "AWS::Logs::LogGroup" => vec![it.main(
            "aws_cloudwatch_log_group",
            LogGroup {
                name: string(get(c, "LogGroupName")),
                retention_in_days: int(get(c, "RetentionInDays")),
            },
        )],
        "AWS::CloudTrail::Trail" => vec![it.main(
            "aws_cloudtrail",
            Trail {
                name: string(get(c, "name")).or_else_field(|| string(get(c, "TrailName"))),
                multi_region: boolean(get(c, "isMultiRegionTrail")),
                log_file_validation: boolean(get(c, "logFileValidationEnabled"))
                    .or_else_field(|| boolean(get(c, "EnableLogFileValidation"))),
                logging: match boolean(get(c, "IsLogging")) {
                    Field::Absent => Field::Unknown(Unknown::NotInInputs(
                        "the trail's logging status (not in its configuration item)".into(),
                    )),
                    known => known,
                },
                // The item is DescribeTrails' shape: it says whether the trail has event
                // selectors of its own, not what they select.
                management_events: match boolean(get(c, "hasCustomEventSelectors")) {
                    Field::Known(false) => Field::Absent,
                    _ => Field::Unknown(Unknown::NotInInputs(
                        "the trail's event selectors (not in its configuration item)".into(),
                    )),
                },
            },
        )],
        _ => Vec::new(),
    }
}

trait OrElse<T> {
    fn or_else_field(self, f: impl FnOnce() -> Field<T>) -> Field<T>;
}

impl<T> OrElse<T> for Field<T> {
    fn or_else_field(self, f: impl FnOnce() -> Field<T>) -> Field<T> {
        match self {
            Field::Absent => f(),
            other => other,
        }
    }
}

fn cidr(v: &Value) -> Field<IpNetwork> {
    match v.as_str() {
        Some(s) => s.parse().map_or_else(
            |_| Field::Unknown(Unknown::NotInInputs(format!("a valid CIDR (got `{s}`)"))),
            Field::Known,
        ),
        None => Field::Absent,
    }
}

fn route_table(it: &Item<'_>, c: &Value) -> Vec<Resource> {
    // The implicit `local` route is left out, as the live reader and Terraform's `route`
    // blocks leave it out.
    let routes = list(get(c, "routes"))
        .iter()
        .filter(|r| get(r, "gatewayId").as_str() != Some("local"))
        .map(|r| {
            let destination = string(get(r, "destinationCidrBlock"))
                .or_else_field(|| string(get(r, "destinationIpv6CidrBlock")))
                .or_else_field(|| string(get(r, "destinationPrefixListId")));
            let gateway = get(r, "gatewayId");
            let other = [
                "transitGatewayId",
                "vpcPeeringConnectionId",
                "networkInterfaceId",
                "instanceId",
                "egressOnlyInternetGatewayId",
                "localGatewayId",
                "carrierGatewayId",
            ]
            .iter()
            .find_map(|k| get(r, k).as_str().map(str::to_string));
            crate::model::Route {
                destination,
                gateway: one_ref(gateway),
                nat_gateway: one_ref(get(r, "natGatewayId")),
                other_target: other,
            }
        })
        .collect();
    let associations = list(get(c, "associations"));
    let main = associations
        .iter()
        .any(|a| boolean(get(a, "main")).get() == Some(&true));
    let table_id = get(c, "routeTableId").as_str().unwrap_or_default();
    let mut out = vec![it.main(
        "aws_route_table",
        RouteTable {
            vpc: one_ref(get(c, "vpcId")),
            routes: Field::Known(routes),
            main,
        },
    )];
    for a in associations {
        let Some(subnet) = get(a, "subnetId").as_str() else {
            continue;
        };
        let id = get(a, "routeTableAssociationId").as_str().unwrap_or(subnet);
        out.push(it.resource(
            "aws_route_table_association",
            format!("{}/association/{id}", it.arn),
            RouteTableAssociation {
                subnet: Field::Known(vec![RefTarget::Ident(subnet.to_string())]),
                route_table: Field::Known(vec![RefTarget::Ident(table_id.to_string())]),
            },
        ));
    }
    out
}

/// One `IpPermission` → flows (one per peer).
fn permission(p: &Value, direction: Direction) -> Vec<SecurityGroupFlow> {
    let protocol = match get(p, "ipProtocol").as_str().and_then(Protocol::parse) {
        Some(p) => Field::Known(p),
        None => Field::Unknown(Unknown::NotInInputs("the rule's protocol".into())),
    };
    let ports = match protocol {
        Field::Known(p) if !p.has_ports() => Field::Known(PortRange::ALL),
        _ => match (int(get(p, "fromPort")), int(get(p, "toPort"))) {
            (Field::Known(a), Field::Known(b)) if a >= 0 && b >= a && b <= 65535 => {
                Field::Known(PortRange {
                    from: a as u16,
                    to: b as u16,
                })
            }
            _ => Field::Known(PortRange::ALL),
        },
    };
    let mut peers = Vec::new();
    let v4 = list(get(p, "ipv4Ranges"));
    if v4.is_empty() {
        for r in list(get(p, "ipRanges")) {
            peers.push(cidr_peer(r.as_str().or_else(|| get(r, "cidrIp").as_str())));
        }
    } else {
        for r in v4 {
            peers.push(cidr_peer(get(r, "cidrIp").as_str()));
        }
    }
    for r in list(get(p, "ipv6Ranges")) {
        peers.push(cidr_peer(get(r, "cidrIpv6").as_str().or(r.as_str())));
    }
    for r in list(get(p, "prefixListIds")) {
        if let Some(id) = get(r, "prefixListId").as_str() {
            peers.push(Peer::PrefixList(id.to_string()));
        }
    }
    for g in list(get(p, "userIdGroupPairs")) {
        peers.push(Peer::Group(one_ref(get(g, "groupId"))));
    }
    peers
        .into_iter()
        .map(|peer| SecurityGroupFlow {
            direction,
            protocol: protocol.clone(),
            ports: ports.clone(),
            peer,
            attribute: None,
        })
        .collect()
}

fn cidr_peer(s: Option<&str>) -> Peer {
    match s.and_then(|s| s.parse::<IpNetwork>().ok()) {
        Some(net) => Peer::Cidr(net),
        None => Peer::Unknown(Unknown::NotInInputs("the rule's CIDR".into())),
    }
}

fn action(a: &Value) -> ListenerAction {
    let mut groups: Vec<&Value> = vec![get(a, "TargetGroupArn")];
    let forward = get(a, "ForwardConfig");
    groups.extend(
        list(get(forward, "TargetGroups"))
            .iter()
            .map(|t| get(t, "TargetGroupArn")),
    );
    ListenerAction {
        action_type: string(get(a, "Type")),
        redirect_protocol: string(get(get(a, "RedirectConfig"), "Protocol")),
        target_groups: refs(groups),
    }
}

fn db_instance(c: &Value) -> DbInstance {
    DbInstance {
        identifier: string(get(c, "dBInstanceIdentifier")),
        engine: string(get(c, "engine")),
        instance_class: string(get(c, "dBInstanceClass")),
        storage_encrypted: boolean(get(c, "storageEncrypted")),
        kms_key: string(get(c, "kmsKeyId")),
        multi_az: boolean(get(c, "multiAZ")),
        backup_retention_period: int(get(c, "backupRetentionPeriod")),
        backup_window: string(get(c, "preferredBackupWindow")),
        maintenance_window: string(get(c, "preferredMaintenanceWindow")),
        publicly_accessible: boolean(get(c, "publiclyAccessible")),
        subnet_group: one_ref(get(get(c, "dBSubnetGroup"), "dBSubnetGroupName")),
        security_groups: refs(
            list(get(c, "vpcSecurityGroups"))
                .iter()
                .map(|g| get(g, "vpcSecurityGroupId")),
        ),
        parameter_group: refs(
            list(get(c, "dBParameterGroups"))
                .iter()
                .map(|g| get(g, "dBParameterGroupName")),
        ),
        allocated_storage: int(get(c, "allocatedStorage")),
        max_allocated_storage: int(get(c, "maxAllocatedStorage")),
        availability_zone: string(get(c, "availabilityZone")),
        cluster: one_ref(get(c, "dBClusterIdentifier")),
        replicate_source: one_ref(get(c, "readReplicaSourceDBInstanceIdentifier")),
    }
}

/// `AWS::RDS::DBCluster`: the `DescribeDBClusters` shape, like `AWS::RDS::DBInstance`.
fn db_cluster(c: &Value) -> DbCluster {
    DbCluster {
        identifier: string(get(c, "dBClusterIdentifier")),
        engine: string(get(c, "engine")),
        storage_encrypted: boolean(get(c, "storageEncrypted")),
        kms_key: string(get(c, "kmsKeyId")),
        backup_retention_period: int(get(c, "backupRetentionPeriod")),
        backup_window: string(get(c, "preferredBackupWindow")),
        maintenance_window: string(get(c, "preferredMaintenanceWindow")),
        subnet_group: one_ref(get(c, "dBSubnetGroup")),
        security_groups: refs(
            list(get(c, "vpcSecurityGroups"))
                .iter()
                .map(|g| get(g, "vpcSecurityGroupId")),
        ),
        parameter_group: one_ref(get(c, "dBClusterParameterGroup")),
    }
}

fn bucket(it: &Item<'_>, c: &Value, sup: &Value) -> Vec<Resource> {
    let name = string(get(c, "name"));
    let this: Refs = Field::Known(vec![RefTarget::Ident(it.arn.clone())]);
    let mut out = vec![it.main(
        "aws_s3_bucket",
        Bucket {
            name,
            ..Bucket::default()
        },
    )];
    let versioning = json(get(sup, "BucketVersioningConfiguration"));
    if let Some(status) = get(&versioning, "status").as_str() {
        out.push(it.resource(
            "aws_s3_bucket_versioning",
            format!("{}/versioning", it.arn),
            BucketVersioning {
                bucket: this.clone(),
                status: Field::Known(match status {
                    "Off" => "Disabled".to_string(),
                    s => s.to_string(),
                }),
            },
        ));
    }
    let encryption = json(get(sup, "ServerSideEncryptionConfiguration"));
    if !encryption.is_null() {
        let algorithms = list(get(&encryption, "rules"))
            .iter()
            .filter_map(|r| {
                get(get(r, "applyServerSideEncryptionByDefault"), "sseAlgorithm").as_str()
            })
            .map(str::to_string)
            .collect();
        out.push(it.resource(
            "aws_s3_bucket_server_side_encryption_configuration",
            format!("{}/encryption", it.arn),
            BucketEncryption {
                bucket: this.clone(),
                algorithms: Field::Known(algorithms),
            },
        ));
    }
    let pab = json(get(sup, "PublicAccessBlockConfiguration"));
    if !pab.is_null() {
        out.push(it.resource(
            "aws_s3_bucket_public_access_block",
            format!("{}/public-access-block", it.arn),
            BucketPublicAccessBlock {
                bucket: this.clone(),
                flags: PublicAccessBlockFlags {
                    block_public_acls: boolean(get(&pab, "blockPublicAcls")),
                    block_public_policy: boolean(get(&pab, "blockPublicPolicy")),
                    ignore_public_acls: boolean(get(&pab, "ignorePublicAcls")),
                    restrict_public_buckets: boolean(get(&pab, "restrictPublicBuckets")),
                },
            },
        ));
    }
    let replication = json(get(sup, "BucketReplicationConfiguration"));
    if !replication.is_null() {
        // `rules` is a map from rule ID to rule (or a list).
        let rules: Vec<&Value> = match get(&replication, "rules") {
            Value::Object(m) => m.values().collect(),
            Value::Array(a) => a.iter().collect(),
            _ => Vec::new(),
        };
        out.push(
            it.resource(
                "aws_s3_bucket_replication_configuration",
                format!("{}/replication", it.arn),
                BucketReplication {
                    bucket: this,
                    rules: Field::Known(
                        rules
                            .into_iter()
                            .map(|r| ReplicationRule {
                                status: string(get(r, "status")),
                                destination: one_ref(get(get(r, "destinationConfig"), "bucketARN")),
                            })
                            .collect(),
                    ),
                },
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(ty: &str, name: &str, arn: &str, conf: Value) -> Value {
        serde_json::json!({
            "accountId": "111111111111", "awsRegion": "eu-west-2", "resourceId": name,
            "resourceName": name, "resourceType": ty, "arn": arn, "tags": [],
            "configuration": conf,
        })
    }

    #[test]
    fn clusters_and_their_members_and_replicas_are_mapped() {
        let input: Arc<str> = Arc::from("aggregator:test");
        let cluster = item(
            "AWS::RDS::DBCluster",
            "ledger",
            "arn:aws:rds:eu-west-2:111111111111:cluster:ledger",
            serde_json::json!({
                "dBClusterIdentifier": "ledger", "engine": "aurora-postgresql",
                "storageEncrypted": false, "backupRetentionPeriod": 7,
                "preferredBackupWindow": "03:00-04:00",
                "preferredMaintenanceWindow": "mon:04:00-mon:05:00",
                "dBSubnetGroup": "ledger-data", "dBClusterParameterGroup": "ledger-pg",
                "vpcSecurityGroups": [{"vpcSecurityGroupId": "sg-1", "status": "active"}],
            }),
        );
        let res = map_item(&cluster, &input);
        let Body::DbCluster(c) = &res[0].body else {
            panic!("{:?}", res[0].body)
        };
        assert_eq!(res[0].resource_type, "aws_rds_cluster");
        assert_eq!(c.storage_encrypted, Field::Known(false));
        assert_eq!(c.backup_retention_period, Field::Known(7));
        assert_eq!(
            c.parameter_group,
            Field::Known(vec![RefTarget::Ident("ledger-pg".into())])
        );
        assert_eq!(
            c.subnet_group,
            Field::Known(vec![RefTarget::Ident("ledger-data".into())])
        );
        let member = item(
            "AWS::RDS::DBInstance",
            "ledger-writer",
            "arn:aws:rds:eu-west-2:111111111111:db:ledger-writer",
            serde_json::json!({
                "dBInstanceIdentifier": "ledger-writer", "dBClusterIdentifier": "ledger",
                "availabilityZone": "eu-west-2a",
                "readReplicaSourceDBInstanceIdentifier": null,
            }),
        );
        let res = map_item(&member, &input);
        let Body::DbInstance(d) = &res[0].body else {
            panic!("{:?}", res[0].body)
        };
        assert_eq!(
            d.cluster,
            Field::Known(vec![RefTarget::Ident("ledger".into())])
        );
        assert_eq!(d.availability_zone, Field::Known("eu-west-2a".into()));
        assert!(d.replicate_source.is_absent());
    }
}

//! The Terraform configuration source: evaluation, locations and errors.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cbaudit::model::{DbInstance, Field, SecurityGroup, Subnet};
use predicates::prelude::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn cbaudit() -> Command {
    let mut cmd = Command::cargo_bin("cbaudit").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A configuration in a temporary directory: (file name, content).
fn config(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

const PROVIDER: &str = r#"
provider "aws" {
  region = "eu-west-1"
  default_tags { tags = { Project = "p" } }
}
"#;

#[test]
fn evaluates_variables_locals_for_each_and_functions() {
    let dir = config(&[
        ("providers.tf", PROVIDER),
        (
            "main.tf",
            r#"
variable "retention" {
  type    = number
  default = 7
}
variable "subnets" {
  type = map(object({ cidr = string, az = string }))
}
locals {
  name = format("%s-%s", "cb", lower("DB"))
  vpc  = cidrsubnet("10.0.0.0/8", 8, 0)
}
resource "aws_vpc" "main" { cidr_block = local.vpc }
resource "aws_subnet" "data" {
  for_each          = var.subnets
  vpc_id            = aws_vpc.main.id
  cidr_block        = each.value.cidr
  availability_zone = each.value.az
  tags              = merge({ Tier = "data" }, { Name = "data-${each.key}" })
}
resource "aws_db_subnet_group" "db" {
  name       = local.name
  subnet_ids = [for s in aws_subnet.data : s.id]
}
resource "aws_db_instance" "db" {
  identifier              = local.name
  backup_retention_period = var.retention
  db_subnet_group_name    = aws_db_subnet_group.db.name
  publicly_accessible     = length(var.subnets) > 5 ? true : false
}
"#,
        ),
        (
            "terraform.tfvars",
            r#"subnets = { a = { cidr = "10.0.20.0/24", az = "eu-west-1a" }, b = { cidr = "10.0.21.0/24", az = "eu-west-1b" } }"#,
        ),
    ]);
    let opts = cbaudit::source::LoadOptions {
        hcl: cbaudit::source::hcl::HclOptions {
            var_files: Vec::new(),
            vars: vec!["retention=30".into()],
            ..Default::default()
        },
        source_dir: None,
    };
    let inv = cbaudit::source::load_with(&[dir.path()], &opts).expect("loads");
    let db = inv.all::<DbInstance>().next().expect("db instance");
    assert_eq!(db.identifier, Field::Known("cb-db".to_string()));
    assert_eq!(
        db.backup_retention_period,
        Field::Known(30),
        "--var wins over the default"
    );
    assert_eq!(db.publicly_accessible, Field::Known(false));
    // The subnet group name is known (a configured attribute of another resource).
    let subnets: Vec<_> = inv
        .all::<Subnet>()
        .map(|s| s.address().to_string())
        .collect();
    assert_eq!(
        subnets,
        vec![r#"aws_subnet.data["a"]"#, r#"aws_subnet.data["b"]"#]
    );
    let a = inv.all::<Subnet>().next().expect("subnet");
    assert_eq!(
        a.cidr.get().map(|c| c.to_string()),
        Some("10.0.20.0/24".into())
    );
    assert_eq!(a.resource.tag("Tier"), Some("data"));
    assert_eq!(
        a.resource.tag("Project"),
        Some("p"),
        "provider default_tags apply"
    );
    // Ids are unknown but keep the identity of their resource.
    let group = inv
        .all::<cbaudit::model::DbSubnetGroup>()
        .next()
        .expect("subnet group");
    let members = inv
        .resolve::<Subnet>(&group.subnets)
        .complete()
        .expect("resolves");
    assert_eq!(members.len(), 2);
    let vpc = inv.all::<cbaudit::model::Vpc>().next().expect("vpc");
    assert_eq!(
        vpc.cidr.get().map(|c| c.to_string()),
        Some("10.0.0.0/16".into())
    );
}

#[test]
fn dynamic_blocks_and_unknown_values() {
    let dir = config(&[
        ("providers.tf", PROVIDER),
        (
            "main.tf",
            r#"
variable "ports" {
  default = { https = 443 }
}
resource "aws_security_group" "alb" {
  name = "alb"
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
      description = ingress.key
    }
  }
  egress {
    from_port       = 8000
    to_port         = 8000
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
}
resource "aws_security_group" "app" { name = "app" }
"#,
        ),
    ]);
    let inv = cbaudit::source::load(&[dir.path()]).expect("loads");
    let alb = inv
        .all::<SecurityGroup>()
        .find(|g| g.address() == "aws_security_group.alb")
        .expect("alb");
    assert_eq!(alb.flows.len(), 2);
    assert_eq!(alb.flows[0].describe_traffic(), "tcp/443");
    let cbaudit::model::Peer::Group(refs) = &alb.flows[1].peer else {
        panic!("egress to a group: {:?}", alb.flows[1].peer);
    };
    let peers = inv
        .resolve::<SecurityGroup>(refs)
        .complete()
        .expect("resolves");
    assert_eq!(peers[0].address(), "aws_security_group.app");
}

#[test]
fn findings_point_at_the_tf_line() {
    let out = cbaudit()
        .arg("scan")
        .arg(fixture("clever-better/violating"))
        .args(["--select", "CB-RDS-003", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = &report["findings"][0];
    let path = f["location"]["path"].as_str().expect("path");
    assert!(path.ends_with("rds.tf"), "{path}");
    let line = f["location"]["line"].as_u64().expect("line") as usize;
    let text = std::fs::read_to_string(path).expect("source");
    let at = text.lines().nth(line - 1).expect("line exists");
    assert!(
        at.trim_start().starts_with("backup_retention_period"),
        "line {line}: {at}"
    );
}

#[test]
fn plan_findings_point_at_the_tf_line_too() {
    for args in [vec![], vec!["--source-dir".to_string()]] {
        let mut cmd = cbaudit();
        cmd.arg("scan")
            .arg(fixture("clever-better/violating/plan.json"));
        if !args.is_empty() {
            cmd.arg("--source-dir")
                .arg(fixture("clever-better/violating"));
        }
        let out = cmd
            .args(["--select", "CB-ECS-001", "--format", "json"])
            .output()
            .expect("runs");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let f = &report["findings"][0];
        assert_eq!(f["resource"], "module.bot.aws_ecs_service.this");
        let path = f["location"]["path"].as_str().expect("path");
        assert!(path.ends_with("modules/ecs-service/main.tf"), "{path}");
        let line = f["location"]["line"].as_u64().expect("line") as usize;
        let text = std::fs::read_to_string(path).expect("source");
        let at = text.lines().nth(line - 1).expect("line exists");
        assert!(at.contains("desired_count"), "line {line}: {at}");
    }
}

fn assert_config_error(files: &[(&str, &str)], cause: &str, snippet: &str) {
    let dir = config(files);
    let out = cbaudit()
        .arg("scan")
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(cause), "expected `{cause}` in {stderr}");
    assert!(
        stderr.contains(snippet),
        "expected the snippet `{snippet}` in {stderr}"
    );
}

#[test]
fn configuration_errors_exit_two_with_a_span() {
    assert_config_error(
        &[(
            "main.tf",
            "resource \"aws_vpc\" \"a\" {\n  cidr_block = \"10.0.0.0/16\"\n",
        )],
        "syntax error",
        "main.tf",
    );
    assert_config_error(
        &[(
            "main.tf",
            "resource \"aws_vpc\" \"a\" {\n  cidr_block = var.cidr\n}\n",
        )],
        "undeclared input variable `cidr`",
        "cidr_block = var.cidr",
    );
    assert_config_error(
        &[(
            "main.tf",
            "locals {\n  a = local.b\n  b = local.a\n}\nresource \"aws_vpc\" \"a\" {\n  cidr_block = local.a\n}\n",
        )],
        "cycle",
        "local.a",
    );
    assert_config_error(
        &[(
            "main.tf",
            "module \"net\" {\n  source = \"./modules/net\"\n}\n",
        )],
        "does not exist",
        "module \"net\"",
    );
}

#[test]
fn an_unreadable_file_exits_two() {
    let dir = config(&[("main.tf", "resource \"aws_vpc\" \"a\" {}\n")]);
    std::fs::write(dir.path().join("bad.tf"), [0xffu8, 0xfe, 0x00, 0x41]).expect("write");
    cbaudit()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.tf").and(predicate::str::contains("not UTF-8")));
}

#[test]
fn modules_installed_by_terraform_init_are_read() {
    let dir = config(&[
        ("providers.tf", PROVIDER),
        (
            "main.tf",
            "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.0.0\"\n  cidr    = \"10.0.0.0/16\"\n}\n",
        ),
        (
            ".terraform/modules/modules.json",
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"vpc","Source":"registry.terraform.io/terraform-aws-modules/vpc/aws","Version":"5.0.0","Dir":".terraform/modules/vpc"}]}"#,
        ),
        (
            ".terraform/modules/vpc/main.tf",
            "variable \"cidr\" {}\nresource \"aws_vpc\" \"this\" {\n  count      = 1\n  cidr_block = var.cidr\n}\n",
        ),
    ]);
    let inv = cbaudit::source::load(&[dir.path()]).expect("loads");
    let vpc = inv.all::<cbaudit::model::Vpc>().next().expect("vpc");
    assert_eq!(vpc.address(), "module.vpc.aws_vpc.this[0]");
    assert_eq!(
        vpc.cidr.get().map(|c| c.to_string()),
        Some("10.0.0.0/16".into())
    );
}

#[test]
fn expressions_evaluate_as_terraform_does() {
    let dir = config(&[
        ("providers.tf", PROVIDER),
        (
            "main.tf",
            r#"
variable "env" { default = "prod" }
locals {
  names   = [for i in range(3) : "log-${i}"]
  days    = { prod = 90, dev = 7 }
  prefix  = upper(substr(var.env, 0, 1))
  tmpl    = "%{ if var.env == "prod" }/ecs/${join("-", ["clever", "better"])}%{ else }/dev%{ endif }"
  missing = try(local.days["staging"], 30)
}
resource "aws_cloudwatch_log_group" "g" {
  count             = length(local.names)
  name              = "${local.tmpl}-${local.names[count.index]}-${local.prefix}"
  retention_in_days = lookup(local.days, var.env, 1) + (count.index == 0 ? 0 : local.missing - 30)
}
resource "aws_cloudwatch_log_group" "splat" {
  name              = join(",", aws_cloudwatch_log_group.g[*].name)
  retention_in_days = aws_cloudwatch_log_group.g[0].retention_in_days
}
"#,
        ),
    ]);
    let inv = cbaudit::source::load(&[dir.path()]).expect("loads");
    let groups: Vec<_> = inv.all::<cbaudit::model::LogGroup>().collect();
    assert_eq!(groups.len(), 4);
    assert_eq!(groups[0].address(), "aws_cloudwatch_log_group.g[0]");
    assert_eq!(
        groups[0].name,
        Field::Known("/ecs/clever-better-log-0-P".into())
    );
    assert_eq!(groups[0].retention_in_days, Field::Known(90));
    assert_eq!(
        groups[2].name,
        Field::Known("/ecs/clever-better-log-2-P".into())
    );
    assert_eq!(
        groups[3].name,
        Field::Known(
            "/ecs/clever-better-log-0-P,/ecs/clever-better-log-1-P,/ecs/clever-better-log-2-P"
                .into()
        )
    );
    assert_eq!(groups[3].retention_in_days, Field::Known(90));
}

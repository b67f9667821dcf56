//! Generates a Terraform configuration of N resources over N/10 files for benchmarks:
//! variables, locals, for_each over maps, count, references between resources, functions.

use std::fmt::Write;
use std::path::Path;

/// Writes `resources` resources (10 per file) into `dir`.
pub fn generate(dir: &Path, resources: usize) {
    let files = resources.div_ceil(10);
    let mut vars = String::from(
        "variable \"region\" {\n  default = \"eu-west-1\"\n}\nvariable \"retention\" {\n  type    = number\n  default = 90\n}\n\
         provider \"aws\" {\n  region = var.region\n  default_tags { tags = { Project = \"bench\" } }\n}\n",
    );
    vars.push_str("locals {\n  azs = { a = \"eu-west-1a\", b = \"eu-west-1b\" }\n}\n");
    std::fs::write(dir.join("main.tf"), vars).expect("write");
    for f in 0..files {
        let mut s = String::new();
        let n = format!("s{f:04}");
        let _ = write!(
            s,
            r#"
locals {{
  {n}_name = format("%s-%s", "bench", "{n}")
  {n}_tags = merge({{ Stack = "{n}" }}, {{ Tier = "app" }})
}}

resource "aws_vpc" "{n}" {{
  cidr_block = cidrsubnet("10.0.0.0/8", 8, {octet})
  tags       = local.{n}_tags
}}

resource "aws_subnet" "{n}" {{
  for_each          = local.azs
  vpc_id            = aws_vpc.{n}.id
  availability_zone = each.value
  cidr_block        = cidrsubnet(aws_vpc.{n}.cidr_block, 8, index(keys(local.azs), each.key))
  tags              = merge(local.{n}_tags, {{ Name = "${{local.{n}_name}}-${{each.key}}" }})
}}

resource "aws_security_group" "{n}" {{
  name   = "${{local.{n}_name}}-app"
  vpc_id = aws_vpc.{n}.id
  tags   = local.{n}_tags
}}

resource "aws_vpc_security_group_ingress_rule" "{n}" {{
  count                        = 2
  security_group_id            = aws_security_group.{n}.id
  referenced_security_group_id = aws_security_group.{n}.id
  ip_protocol                  = "tcp"
  from_port                    = 8000 + count.index
  to_port                      = 8000 + count.index
}}

resource "aws_cloudwatch_log_group" "{n}" {{
  name              = "/ecs/${{local.{n}_name}}"
  retention_in_days = var.retention
}}

resource "aws_db_subnet_group" "{n}" {{
  name       = local.{n}_name
  subnet_ids = [for s in aws_subnet.{n} : s.id]
}}

resource "aws_iam_role" "{n}" {{
  name               = "${{local.{n}_name}}-task"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ecs-tasks.amazonaws.com" }} }}] }})
}}

resource "aws_ecr_repository" "{n}" {{
  name = local.{n}_name
  image_scanning_configuration {{
    scan_on_push = true
  }}
}}
"#,
            octet = f % 250
        );
        std::fs::write(dir.join(format!("stack_{n}.tf")), s).expect("write");
    }
}

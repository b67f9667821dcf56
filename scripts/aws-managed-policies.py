#!/usr/bin/env python3
"""Regenerates data/aws-managed-policies.json: the reviewed snapshot of AWS managed policy
documents that the CB-IAM-* rules judge attachments of `arn:aws:iam::aws:policy/...` with.

    scripts/aws-managed-policies.py /path/to/MAMIP-checkout > data/aws-managed-policies.json

The source is a git checkout of https://github.com/zoph-io/MAMIP (an archive of the current
AWS managed policy documents: `policies/<Name>` holds `GetPolicyVersion` output and
`policies-list.json` the `ListPolicies` output with each policy's path). Only the documents
are copied (data, not code). Review the diff before committing: it changes verdicts.
"""
import json
import subprocess
import sys

NAMES = [
    "AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess",
    "IAMFullAccess", "IAMReadOnlyAccess",
    "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess",
    "SecretsManagerReadWrite",
    "CloudWatchLogsFullAccess", "CloudWatchLogsReadOnlyAccess",
    "CloudWatchFullAccess", "CloudWatchAgentServerPolicy",
    "AmazonECS_FullAccess", "AmazonECSTaskExecutionRolePolicy",
    "AmazonRDSFullAccess", "AmazonRDSReadOnlyAccess",
    "AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPowerUser",
    "AmazonEC2ContainerRegistryFullAccess",
    "AmazonEC2FullAccess", "AmazonEC2ReadOnlyAccess", "AmazonVPCFullAccess",
    "AmazonSSMManagedInstanceCore", "AmazonSSMReadOnlyAccess",
    "AmazonDynamoDBFullAccess", "AmazonDynamoDBReadOnlyAccess",
    "AmazonSQSFullAccess", "AmazonSNSFullAccess",
    "AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole",
    "AWSXrayWriteOnlyAccess",
    "AmazonSSMFullAccess", "AmazonEC2ContainerServiceforEC2Role",
    # Service roles the architecture itself attaches (AWS Config, RDS enhanced monitoring).
    "AWS_ConfigRole", "AmazonRDSEnhancedMonitoringRole",
]


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True,
                          text=True).stdout


def main():
    repo = sys.argv[1]
    commit, date = git(repo, "log", "-1", "--format=%H %cs").split()
    listing = json.loads(git(repo, "show", "HEAD:policies-list.json"))["Policies"]
    arns = {p["PolicyName"]: p["Arn"] for p in listing}
    policies = {}
    for name in NAMES:
        version = json.loads(git(repo, "show", f"HEAD:policies/{name}"))["PolicyVersion"]
        policies[arns[name]] = {"version": version["VersionId"], "document": version["Document"]}
    out = {
        "source": "https://github.com/zoph-io/MAMIP",
        "commit": commit,
        "date": date,
        "policies": policies,
    }
    json.dump(out, sys.stdout, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

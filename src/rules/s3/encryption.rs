use crate::declare_rule;
use crate::model::{Bucket, BucketEncryption, Field, Unknown};
use crate::policy::EncryptionLevel;
use crate::rules::Check;

use crate::rules::attached::Attached;

declare_rule! {
    /// ## What it checks
    /// Every bucket's objects are encrypted at rest with at least the documented algorithm
    /// (`storage.minimum_encryption`). With `SSE-S3` (the default), an explicit
    /// `aws_s3_bucket_server_side_encryption_configuration` using `AES256`, `aws:kms` or
    /// `aws:kms:dsse` passes, and so does a bucket with no explicit configuration: S3 applies
    /// SSE-S3 (AES256) to every new object by default since January 2023. With `SSE-KMS`,
    /// only `aws:kms` or `aws:kms:dsse` pass, and a bucket without configuration fails (the
    /// S3 default is SSE-S3). An algorithm that is not known yet is unknown.
    ///
    /// The legacy inline `server_side_encryption_configuration` block of `aws_s3_bucket`
    /// (deprecated in the AWS provider 4.0, still accepted by 5.x) counts as the separate
    /// resource: an inline `aws:kms` is SSE-KMS. With both, the two write the bucket's one
    /// encryption configuration and AWS keeps the one Terraform applied last (the provider's
    /// `aws_s3_bucket` docs: "Configuring with both will cause inconsistencies and may
    /// overwrite configuration"): when they agree that is the verdict, when one meets the
    /// level and the other does not the outcome is unknown with that reason.
    ///
    /// ## Why
    /// The architecture document's "Encryption" section: "S3: Server-side encryption
    /// (SSE-S3)". The model bucket holds the trained ML models; a team that needs KMS key
    /// policies and CloudTrail records of key use raises the policy to `SSE-KMS`.
    ///
    /// ## Example
    /// With `minimum_encryption = "SSE-KMS"`:
    /// ```hcl
    /// resource "aws_s3_bucket_server_side_encryption_configuration" "models" {
    ///   bucket = aws_s3_bucket.models.id
    ///   rule {
    ///     apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket_server_side_encryption_configuration" "models" {
    ///   bucket = aws_s3_bucket.models.id
    ///   rule {
    ///     apply_server_side_encryption_by_default {
    ///       sse_algorithm     = "aws:kms"
    ///       kms_master_key_id = aws_kms_key.models.arn
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Peers
    /// Checkov `CKV_AWS_19` (encrypted at rest) and `CKV_AWS_145` (KMS by default); Trivy
    /// `AVD-AWS-0088` (bucket encryption) and `AVD-AWS-0132` (customer-managed key); AWS
    /// Config `s3-bucket-server-side-encryption-enabled` and `s3-default-encryption-kms`.
    pub static S3_ENCRYPTION = Rule {
        id: "CB-S3-001",
        name: "s3-encryption",
        area: Storage,
        severity: High,
        scope: Architecture,
        check: check,
    };
}

fn meets(level: EncryptionLevel, algorithm: &str) -> bool {
    let kms = ["aws:kms", "aws:kms:dsse"];
    let accepted: &[&str] = match level {
        EncryptionLevel::SseS3 => &["AES256", "aws:kms", "aws:kms:dsse"],
        EncryptionLevel::SseKms => &kms,
    };
    accepted.iter().any(|a| a.eq_ignore_ascii_case(algorithm))
}

fn requirement(level: EncryptionLevel) -> &'static str {
    match level {
        EncryptionLevel::SseS3 => "the architecture requires SSE-S3 (AES256) or stronger (aws:kms)",
        EncryptionLevel::SseKms => "the policy requires SSE-KMS (aws:kms or aws:kms:dsse)",
    }
}

fn help(level: EncryptionLevel) -> &'static str {
    match level {
        EncryptionLevel::SseS3 => "set apply_server_side_encryption_by_default { sse_algorithm = \"AES256\" }",
        EncryptionLevel::SseKms => {
            "add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm = \"aws:kms\""
        }
    }
}

/// What one configuration (the inline block or a separate resource) says: the weak
/// algorithms it sets, or what about it is unknown.
fn judge(
    level: EncryptionLevel,
    label: &str,
    bucket: &str,
    algorithms: &Field<Vec<String>>,
) -> Result<Vec<String>, (String, Unknown)> {
    match algorithms.value() {
        Ok(Some(algs)) if !algs.is_empty() => Ok(algs
            .iter()
            .filter(|a| !meets(level, a))
            .map(|alg| format!("{label} encrypts {bucket} with {alg}"))
            .collect()),
        Ok(_) => {
            if meets(level, "AES256") {
                Ok(Vec::new())
            } else {
                Ok(vec![format!(
                    "{label} sets no sse_algorithm for {bucket}, so S3 uses its default AES256"
                )])
            }
        }
        Err(u) => Err((format!("the sse_algorithm of {label}"), u.clone())),
    }
}

fn check(c: &mut Check<'_>) {
    let inv = c.inv;
    let level = c.policy.storage.minimum_encryption;
    let configs = Attached::<BucketEncryption, Bucket>::collect(inv, |e| &e.bucket);
    for bucket in inv.all::<Bucket>() {
        let mine = configs.of(bucket.id);
        let address = bucket.address();
        let mut weak: Vec<String> = Vec::new();
        let mut unknown: Option<(String, Unknown)> = None;
        let mut judged = |label: &str, algs: &Field<Vec<String>>| -> Option<bool> {
            match judge(level, label, address, algs) {
                Ok(w) => {
                    let ok = w.is_empty();
                    weak.extend(w);
                    Some(ok)
                }
                Err(u) => {
                    unknown.get_or_insert(u);
                    None
                }
            }
        };
        let inline_label = format!("the inline server_side_encryption_configuration of {address}");
        let inline = match &bucket.inline.encryption {
            Field::Absent => None,
            algs => Some(judged(&inline_label, algs)),
        };
        let separate: Vec<Option<bool>> = mine
            .iter()
            .map(|config| judged(config.address(), &config.algorithms))
            .collect();
        // The inline block and a separate resource both write the bucket's one
        // encryption configuration: AWS keeps whichever Terraform applied last, and each
        // apply rewrites it. When they disagree, the verdict is not knowable.
        if let Some(Some(own)) = inline {
            if let Some(other) = mine
                .iter()
                .zip(&separate)
                .find(|(_, v)| **v == Some(!own))
                .map(|(config, _)| config.address())
            {
                let why = Unknown::Unresolved(format!(
                    "the inline server_side_encryption_configuration and {other} both set it and \
                     disagree; AWS keeps the one applied last"
                ));
                c.unknown(
                    bucket.id,
                    None,
                    &format!("the encryption of {address}"),
                    &why,
                );
                continue;
            }
        }
        if mine.is_empty() && inline.is_none() {
            if let Some(maybe) = configs.maybe() {
                unknown = Some(maybe);
            } else if !meets(level, "AES256") {
                weak.push(format!(
                    "{address} has no server-side encryption configuration, so S3 applies its \
                     default SSE-S3 (AES256)"
                ));
            }
        }
        if !weak.is_empty() {
            c.fail(
                bucket.id,
                None,
                format!("{}; {}", weak.join(", "), requirement(level)),
                help(level),
            );
        } else if let Some((what, why)) = unknown {
            c.unknown(bucket.id, None, &what, &why);
        } else {
            c.pass(bucket.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ident, Inventory, RefTarget, Resource};
    use crate::policy::Policy;
    use crate::rules::testing::{res, run, run_with};

    fn bucket(inv: &mut Inventory, name: &str) {
        let b = Bucket {
            name: Field::Known(name.into()),
            ..Bucket::default()
        };
        let arn = format!("arn:aws:s3:::{name}");
        inv.push(res(format!("aws_s3_bucket.{name}"), b).with_identifiers([name.to_string(), arn]));
    }

    fn sse(inv: &mut Inventory, name: &str, target: RefTarget, algs: Field<Vec<&str>>) {
        let e = BucketEncryption {
            bucket: Field::Known(vec![target]),
            algorithms: algs.map(|v| v.into_iter().map(str::to_string).collect()),
        };
        let addr = format!("aws_s3_bucket_server_side_encryption_configuration.{name}");
        inv.push(res(addr, e));
    }

    fn kms_policy() -> Policy {
        let mut p = Policy::default_policy();
        p.storage.minimum_encryption = EncryptionLevel::SseKms;
        p
    }

    #[test]
    fn default_and_explicit_sse_s3_pass() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        bucket(&mut inv, "logs");
        sse(
            &mut inv,
            "logs",
            RefTarget::Address("aws_s3_bucket.logs".into()),
            Field::Known(vec!["AES256"]),
        );
        let out = run(&S3_ENCRYPTION, &inv);
        assert_eq!(
            out.passes(),
            vec!["aws_s3_bucket.logs", "aws_s3_bucket.models"]
        );
    }

    #[test]
    fn kms_policy_fails_aes256_and_default() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        bucket(&mut inv, "logs");
        bucket(&mut inv, "keys");
        sse(
            &mut inv,
            "logs",
            ident("logs"),
            Field::Known(vec!["AES256"]),
        );
        sse(
            &mut inv,
            "keys",
            ident("arn:aws:s3:::keys"),
            Field::Known(vec!["aws:kms:dsse"]),
        );
        let out = run_with(&S3_ENCRYPTION, &inv, &kms_policy());
        assert_eq!(
            out.fails(),
            vec!["aws_s3_bucket.logs", "aws_s3_bucket.models"]
        );
        assert_eq!(out.passes(), vec!["aws_s3_bucket.keys"]);
        let msgs = out.messages();
        assert!(
            msgs[0].contains("default SSE-S3") && msgs[0].contains("SSE-KMS"),
            "{msgs:?}"
        );
        assert!(msgs[1].contains("with AES256"), "{msgs:?}");
    }

    #[test]
    fn unknown_algorithm_or_bucket_is_unknown() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        sse(
            &mut inv,
            "m",
            ident("models"),
            Field::Unknown(Unknown::AfterApply),
        );
        assert_eq!(
            run(&S3_ENCRYPTION, &inv).unknowns(),
            vec!["aws_s3_bucket.models"]
        );

        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        let e = BucketEncryption {
            bucket: Field::Unknown(Unknown::Unresolved("var.bucket".into())),
            algorithms: Field::Known(vec!["aws:kms".into()]),
        };
        inv.push(Resource::new(
            "aws_s3_bucket_server_side_encryption_configuration",
            "x.y",
            e,
        ));
        assert_eq!(
            run_with(&S3_ENCRYPTION, &inv, &kms_policy()).unknowns(),
            vec!["aws_s3_bucket.models"]
        );
    }

    fn inline_bucket(inv: &mut Inventory, name: &str, algs: &[&str]) {
        let b = Bucket {
            name: Field::Known(name.into()),
            inline: crate::model::BucketInline {
                encryption: Field::Known(algs.iter().map(|a| a.to_string()).collect()),
                ..Default::default()
            },
        };
        inv.push(res(format!("aws_s3_bucket.{name}"), b).with_identifiers([name.to_string()]));
    }

    #[test]
    fn inline_block_counts_as_the_separate_resource() {
        let mut inv = Inventory::new();
        inline_bucket(&mut inv, "kms", &["aws:kms"]);
        inline_bucket(&mut inv, "aes", &["AES256"]);
        let out = run_with(&S3_ENCRYPTION, &inv, &kms_policy());
        assert_eq!(out.passes(), vec!["aws_s3_bucket.kms"]);
        assert_eq!(out.fails(), vec!["aws_s3_bucket.aes"]);
        let msg = &out.messages()[0];
        assert!(
            msg.contains("inline server_side_encryption_configuration"),
            "{msg}"
        );
    }

    #[test]
    fn inline_and_separate_disagreeing_is_unknown_agreeing_is_judged() {
        let mut inv = Inventory::new();
        inline_bucket(&mut inv, "fight", &["aws:kms"]);
        sse(&mut inv, "f", ident("fight"), Field::Known(vec!["AES256"]));
        inline_bucket(&mut inv, "agree", &["aws:kms"]);
        sse(
            &mut inv,
            "a",
            ident("agree"),
            Field::Known(vec!["aws:kms:dsse"]),
        );
        let out = run_with(&S3_ENCRYPTION, &inv, &kms_policy());
        assert_eq!(out.unknowns(), vec!["aws_s3_bucket.fight"]);
        assert!(
            out.messages()[0].contains("disagree"),
            "{:?}",
            out.messages()
        );
        assert_eq!(out.passes(), vec!["aws_s3_bucket.agree"]);
        // Under SSE-S3 both meet the level: no fight.
        assert_eq!(run(&S3_ENCRYPTION, &inv).passes().len(), 2);
    }

    #[test]
    fn absent_algorithm_is_the_s3_default() {
        let mut inv = Inventory::new();
        bucket(&mut inv, "models");
        sse(&mut inv, "m", ident("models"), Field::Absent);
        assert_eq!(
            run(&S3_ENCRYPTION, &inv).passes(),
            vec!["aws_s3_bucket.models"]
        );
        assert_eq!(
            run_with(&S3_ENCRYPTION, &inv, &kms_policy()).fails(),
            vec!["aws_s3_bucket.models"]
        );
    }
}

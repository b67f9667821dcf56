//! `regexall` against Terraform: each row is (pattern, text, what Terraform 1.11 gives as
//! JSON, or `ERR`), from one `terraform console` run of
//! `jsonencode([try(regexall(PATTERN, TEXT), "ERR"), ...])` over the rows.

use super::*;

const TERRAFORM: &[(&str, &str, &str)] = &[
    ("\\d+", "a12b٣4", "[\"12\",\"4\"]"),
    ("\\D+", "a12b", "[\"a\",\"b\"]"),
    ("\\w+", "héllo_1 x", "[\"h\",\"llo_1\",\"x\"]"),
    ("\\W+", "a-é b", "[\"-é \"]"),
    ("\\s+", "a \t\n\u{b}\u{c}\rb", "[\" \\t\\n\",\"\\f\\r\"]"),
    ("\\S+", "a\u{a0}b c", "[\"a\u{a0}b\",\"c\"]"),
    ("\\bé", "aé é", "[\"é\"]"),
    ("\\Bb", "ab b", "[\"b\"]"),
    ("(?i)\\w", "sſK", "[\"s\",\"ſ\",\"K\"]"),
    ("(?i)[s]", "sSſ", "[\"s\",\"S\",\"ſ\"]"),
    ("(?i)\\W", "ſ-", "[\"-\"]"),
    ("\\w", "ſ", "[]"),
    ("(?i)\\W", "k-", "[\"-\"]"),
    ("[\\d\\s]+", "1 2x", "[\"1 2\"]"),
    ("[^\\d]+", "ab1c", "[\"ab\",\"c\"]"),
    ("[\\w-]+", "a-b c", "[\"a-b\",\"c\"]"),
    ("[\\d-z]+", "1-zy", "[\"1-z\"]"),
    ("[a-\\d]", "a", "ERR"),
    ("[[:digit:]-]+", "1-2", "[\"1-2\"]"),
    ("[[:^digit:]]+", "ab1", "[\"ab\"]"),
    ("[[:foo:]]", "a", "ERR"),
    ("[[:alpha:]", "a", "ERR"),
    ("[[a]", "[a", "[\"[\",\"a\"]"),
    ("[]a]+", "]a", "[\"]a\"]"),
    ("[^]a]+", "]ab", "[\"b\"]"),
    ("[]", "a", "ERR"),
    ("[^]", "a", "ERR"),
    ("[a&&b]+", "&ab", "[\"&ab\"]"),
    ("[a~~b]+", "~ab", "[\"~ab\"]"),
    ("[a--b]", "a", "ERR"),
    ("[--/]+", "-./", "[\"-./\"]"),
    ("\\Qa.b\\E+", "a.bb", "[\"a.bb\"]"),
    ("\\Qa.b", "a.b", "[\"a.b\"]"),
    ("\\Q\\E", "x", "[\"\",\"\"]"),
    ("a\\Q\\Eb", "ab", "[\"ab\"]"),
    ("\\141\\0\\08", "a\u{0}\u{0}8", "[\"a\\u0000\\u00008\"]"),
    ("\\1", "a", "ERR"),
    ("\\12", "\n", "[\"\\n\"]"),
    ("\\8", "8", "ERR"),
    ("\\x41\\x{42}\\x{1F600}", "AB😀", "[\"AB😀\"]"),
    ("\\x4", "a", "ERR"),
    ("\\x{110000}", "a", "ERR"),
    (
        "\\<\\>\\/\\-\\#\\~\\&\\%\\ ",
        "<>/-#~&% ",
        "[\"<>/-#~&% \"]",
    ),
    ("\\e", "a", "ERR"),
    ("\\Z", "a", "ERR"),
    ("\\z", "a", "[\"\"]"),
    ("\\A", "a", "[\"\"]"),
    ("\\C", "a", "ERR"),
    ("\\pL+", "aé1", "[\"aé\"]"),
    ("\\PL+", "aé1", "[\"1\"]"),
    ("\\p{Greek}+", "aαβ", "[\"αβ\"]"),
    ("\\p{^Greek}+", "αab", "[\"ab\"]"),
    ("\\pZ", "a b", "[\" \"]"),
    ("\\p{Foo}", "a", "ERR"),
    ("a{,3}", "a{,3}", "[\"a{,3}\"]"),
    ("a{ 2}", "a{ 2}", "[\"a{ 2}\"]"),
    ("a{2", "a{2", "[\"a{2\"]"),
    ("a{2,", "a{2,", "[\"a{2,\"]"),
    ("a{2,3", "a{2,3", "[\"a{2,3\"]"),
    ("x{", "x{", "[\"x{\"]"),
    ("x}", "x}", "[\"x}\"]"),
    ("a{2}{3}", "aa", "ERR"),
    ("a{2}?", "aaa", "[\"aa\"]"),
    ("a{1000}", "a", "[]"),
    ("a{1001}", "a", "ERR"),
    ("a{0,1001}", "a", "ERR"),
    ("a{2,1}", "a", "ERR"),
    ("{2}", "a", "ERR"),
    ("a{02}", "aa", "[]"),
    ("a{2,}?", "aaa", "[\"aa\"]"),
    ("a**", "a", "ERR"),
    ("a*?*", "a", "ERR"),
    ("a+?+", "a", "ERR"),
    ("a?*", "a", "ERR"),
    ("(a*)*", "aa", "[[\"aa\"]]"),
    ("a*?", "aa", "[\"\",\"\",\"\"]"),
    ("^*", "a", "[\"\",\"\"]"),
    ("$+", "a", "[\"\"]"),
    ("\\b*", "a", "[\"\",\"\"]"),
    ("(?:)*", "a", "[\"\",\"\"]"),
    ("(?i)abc", "ABC", "[\"ABC\"]"),
    ("(?i:a)b", "AbAB", "[\"Ab\"]"),
    ("(?m)^a$", "a\na", "[\"a\",\"a\"]"),
    ("(?s).", "\n", "[\"\\n\"]"),
    ("(?U)a+", "aa", "[\"a\",\"a\"]"),
    ("(?U)a+?", "aa", "[\"aa\"]"),
    ("(?x)a", "a", "ERR"),
    ("(?u)a", "a", "ERR"),
    ("(?R)a", "a", "ERR"),
    ("(?i-s)a", "A", "[\"A\"]"),
    ("(?-)a", "a", "ERR"),
    ("(?i-)a", "a", "ERR"),
    ("(?)a", "a", "[\"a\"]"),
    ("(?:a)", "a", "[\"a\"]"),
    ("(?-:a)", "a", "ERR"),
    ("(?i", "a", "ERR"),
    ("(?P<n>a)(?P<m>b)?", "a", "[{\"m\":null,\"n\":\"a\"}]"),
    ("(?<n>a)", "a", "[{\"n\":\"a\"}]"),
    ("(?P<a-b>a)", "a", "ERR"),
    ("(?P<>a)", "a", "ERR"),
    ("(?P=n)", "a", "ERR"),
    ("(a)(?P<n>b)", "ab", "ERR"),
    ("(", "a", "ERR"),
    (")", "a", "ERR"),
    ("a)", "a", "ERR"),
    ("(a", "a", "ERR"),
    ("[a", "a", "ERR"),
    ("a\\\\", "a\\", "[\"a\\\\\"]"),
    ("\\", "a", "ERR"),
    ("*", "a", "ERR"),
    ("a|*", "a", "ERR"),
    ("a||b", "b", "[\"\",\"\"]"),
    ("|", "a", "[\"\",\"\"]"),
    ("", "héllo", "[\"\",\"\",\"\",\"\",\"\",\"\"]"),
    ("a*", "baaac", "[\"\",\"aaa\",\"\"]"),
    ("x*", "abc", "[\"\",\"\",\"\",\"\"]"),
    ("\\b", "ab cd", "[\"\",\"\",\"\",\"\"]"),
    ("(?-u:\\b)", "a", "ERR"),
    ("^$", "", "[\"\"]"),
    ("$", "a\n", "[\"\"]"),
    ("(?m)$", "a\nb", "[\"\",\"\"]"),
    (".", "é😀\n", "[\"é\",\"😀\"]"),
    ("[^a]", "\n", "[\"\\n\"]"),
    ("[\\n]", "\n", "[\"\\n\"]"),
    (
        "\\n\\t\\r\\f\\v\\a",
        "\n\t\r\u{c}\u{b}\u{7}",
        "[\"\\n\\t\\r\\f\\u000b\\u0007\"]",
    ),
    ("[\\b]", "a", "ERR"),
    ("[\\Q]\\E]", "]", "ERR"),
    ("#", "#", "[\"#\"]"),
    (" a", " a", "[\" a\"]"),
    ("a b", "a b", "[\"a b\"]"),
    ("\\_", "_", "[\"_\"]"),
    ("\\é", "é", "ERR"),
    ("[\\é]", "é", "ERR"),
];

/// Rows where this evaluator differs from Terraform, documented in
/// `docs/terraform-functions.md` (the value Terraform gives is in the row).
const DIFFERENT: &[(&str, &str, &str)] = &[
    ("\\p{greek}", "α", "ERR"),
    ("(?P<1a>a)", "a", "[{\"1a\":\"a\"}]"),
    ("(?P<n>a)(?P<n>b)", "ab", "[{\"n\":\"b\"}]"),
];

/// `regexall(pattern, text)` as JSON, or `ERR`.
fn ours(pattern: &str, text: &str) -> String {
    match call("regexall", vec![s(pattern), s(text)]) {
        Ok(v) => match ok("jsonencode", vec![v]) {
            TfValue::String(json) => json,
            other => panic!("jsonencode gave {other:?}"),
        },
        Err(_) => "ERR".into(),
    }
}

fn same(ours: &str, terraform: &str) -> bool {
    if ours == "ERR" || terraform == "ERR" {
        return ours == terraform;
    }
    let parse = |j: &str| serde_json::from_str::<serde_json::Value>(j).expect("JSON");
    parse(ours) == parse(terraform)
}

#[test]
fn regexall_gives_what_terraform_gives() {
    let wrong: Vec<String> = TERRAFORM
        .iter()
        .filter_map(|(p, t, want)| {
            let got = ours(p, t);
            (!same(&got, want)).then(|| format!("{p:?} on {t:?}: {got:?} (Terraform: {want:?})"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn known_differences_stay_known() {
    for (p, t, terraform) in DIFFERENT {
        assert!(
            !same(&ours(p, t), terraform),
            "{p:?} now agrees with Terraform"
        );
    }
}

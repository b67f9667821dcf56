//! Regular expressions, through `regex`, `regexall` and `replace`. Expected values are
//! `terraform console`'s (Terraform 1.11, Go `regexp`).

use super::*;

fn first(pattern: &str, text: &str) -> TfValue {
    ok("regex", vec![s(pattern), s(text)])
}

fn all(pattern: &str, text: &str) -> TfValue {
    ok("regexall", vec![s(pattern), s(text)])
}

fn re_replace(text: &str, pattern: &str, with: &str) -> TfValue {
    ok(
        "replace",
        vec![s(text), s(&format!("/{pattern}/")), s(with)],
    )
}

#[test]
fn leftmost_first_alternation_and_quantifiers() {
    assert_eq!(first("a|ab", "ab"), s("a"));
    assert_eq!(first("ab|a", "ab"), s("ab"));
    assert_eq!(first("a+", "baaa"), s("aaa"));
    assert_eq!(first("a+?", "baaa"), s("a"));
    assert_eq!(first("a{2}", "aaaa"), s("aa"));
    assert_eq!(first("a{2,3}", "aaaa"), s("aaa"));
    assert_eq!(first("a{2,}", "aaaaa"), s("aaaaa"));
    assert_eq!(first("x{", "x{"), s("x{"));
    assert_eq!(first("(?U)a+", "aaa"), s("a"));
    assert_eq!(first("colou?r", "the color"), s("color"));
}

#[test]
fn classes_and_escapes() {
    assert_eq!(first(r"\d+", "ab123c"), s("123"));
    assert_eq!(first(r"\w+", "  foo_bar9 "), s("foo_bar9"));
    assert_eq!(first(r"[^\s]+", "  xy z"), s("xy"));
    assert_eq!(first("[[:upper:]]+", "abCDe"), s("CD"));
    assert_eq!(first("[a-c-]+", "x-ab-cd"), s("-ab-c"));
    assert_eq!(first(r"\.\*", "a.*b"), s(".*"));
    assert_eq!(first(r"\x41\x{42}", "zAB"), s("AB"));
    assert_eq!(first(r"\pL+", "12héllo3"), s("héllo"));
    assert_eq!(first(r"\Qa.b\E", "axb a.b"), s("a.b"));
    assert_eq!(first("[]a]+", "x]a]"), s("]a]"));
}

#[test]
fn anchors_flags_and_boundaries() {
    assert_eq!(all("^a", "a\na"), strs(&["a"]));
    assert_eq!(all("(?m)^a", "a\na"), strs(&["a", "a"]));
    assert_eq!(all("(?i)abc", "ABC aBc"), strs(&["ABC", "aBc"]));
    assert_eq!(all("(?i:x)y", "XY Xy xy"), strs(&["Xy", "xy"]));
    assert_eq!(first("a.c", "a\nc abc"), s("abc"));
    assert_eq!(first("(?s)a.c", "a\nc"), s("a\nc"));
    assert_eq!(all(r"\bcat\b", "cat concat cat."), strs(&["cat", "cat"]));
    assert_eq!(first(r"\Bcat", "concat"), s("cat"));
    assert_eq!(first("b$", "ab\nb"), s("b"));
    assert_eq!(all("(?m)b$", "ab\nb"), strs(&["b", "b"]));
}

#[test]
fn empty_matches_follow_go() {
    assert_eq!(all("a*", "baaac"), strs(&["", "aaa", ""]));
    assert_eq!(re_replace("baaac", "a*", "-"), s("-b-c-"));
    assert_eq!(re_replace("", "^", "x"), s("x"));
}

#[test]
fn replacement_templates() {
    assert_eq!(
        re_replace("2019-02-01", r"(\d+)-(\d+)-(\d+)", "$3/$2/$1"),
        s("01/02/2019")
    );
    assert_eq!(re_replace("ab", "(?P<first>a)", "[${first}]"), s("[a]b"));
    assert_eq!(re_replace("ab", "(a)", "${1}x"), s("axb"));
    // `$1x` names group "1x", which does not exist.
    assert_eq!(re_replace("ab", "(a)", "$1x"), s("b"));
    assert_eq!(re_replace("ab", "a", "$$"), s("$b"));
    assert_eq!(re_replace("ab", "a", "$-"), s("$-b"));
    assert_eq!(re_replace("aaa", "a", "b"), s("bbb"));
}

#[test]
fn invalid_patterns_are_errors() {
    for pattern in [
        "(",
        "a)",
        "[a",
        "*a",
        "a**",
        r"\1",
        "a{2,1}",
        "(?P<x>a)(?P<x>b)",
        r"\",
        "[z-a]",
    ] {
        let e = err("regex", vec![s(pattern), s("a")]);
        assert!(
            e.starts_with("function `regex`: invalid regular expression pattern"),
            "{pattern}: {e}"
        );
    }
    assert!(err("regex", vec![s("(?P<x>a)(b)"), s("ab")]).contains("cannot be mixed"));
}

#[test]
fn pathological_patterns_stay_bounded() {
    let text = "a".repeat(200);
    assert_eq!(ok("regexall", vec![s("(a*)*b"), s(&text)]), l(vec![]));
    assert_eq!(
        first("(?:x+x+)+y", &("x".repeat(100) + "y")),
        s(&("x".repeat(100) + "y"))
    );
}

/// Where the `regex` crate reads a pattern otherwise than Go (see `functions/regex.rs`).
#[test]
fn perl_classes_and_boundaries_are_ascii_as_in_go() {
    assert_eq!(all(r"\w+", "héllo wörld"), strs(&["h", "llo", "w", "rld"]));
    assert_eq!(all(r"\d+", "١٢٣ 123"), strs(&["123"]));
    assert_eq!(all(r"\s", "\u{b} \u{a0}"), strs(&[" "]));
    assert_eq!(first(r"\S+", "  x\u{a0}y "), s("x\u{a0}y"));
    assert_eq!(all(r"\bcat", "écat cat"), strs(&["cat", "cat"]));
    assert!(err("regex", vec![s(r"\Bé"), s("aé")]).contains("did not match"));
    assert_eq!(first(r"[\d\s]+", "a1 2b"), s("1 2"));
    assert_eq!(first(r"[^\D]+", "a12"), s("12"));
    assert_eq!(first(r"[\W]+", "ab-+éc"), s("-+é"));
    assert_eq!(first(r"[[:alpha:]\d]+", "-ab1-"), s("ab1"));
    assert_eq!(first("(?i)[^a]+", "aAbB"), s("bB"));
    // Empty matches never split a character.
    assert_eq!(all("", "héllo"), strs(&["", "", "", "", "", ""]));
}

#[test]
fn go_literals_the_crate_reads_as_syntax() {
    assert_eq!(first("a{ 2}", "a{ 2}"), s("a{ 2}"));
    assert_eq!(first("a{,3}", "a{,3}"), s("a{,3}"));
    assert_eq!(first(r"\<a\>", "<a>"), s("<a>"));
    assert_eq!(first("[a&&b]+", "&ab"), s("&ab"));
    assert_eq!(first("[a~~b]+", "~ab"), s("~ab"));
    assert_eq!(first("[[a]+", "[a"), s("[a"));
    assert_eq!(first("[--/]+", "a-./"), s("-./"));
    assert_eq!(first("[a-]+", "a-"), s("a-"));
    assert_eq!(first(r"[\d-z]+", "a1-zy"), s("1-z"));
    assert_eq!(first(r"\141", "a"), s("a"));
    assert_eq!(first(r"\0", "\0"), s("\0"));
    assert_eq!(first(r"\p{^Greek}+", "αβabc"), s("abc"));
    assert_eq!(first(r"\P{Greek}+", "αβabc"), s("abc"));
    assert_eq!(
        ok("regex", vec![s("(?<n>a)"), s("a")]),
        TfValue::Map([("n".to_string(), s("a"))].into_iter().collect())
    );
}

#[test]
fn go_errors_the_crate_would_accept() {
    for pattern in [
        "a{1001}", "a**", "a+?+", "a{2}*", "(?x)a", "(?u)a", "(?R)a", r"\e", r"\Z", r"\8",
    ] {
        let e = err("regex", vec![s(pattern), s("a")]);
        assert!(
            e.starts_with("function `regex`: invalid regular expression pattern"),
            "{pattern}: {e}"
        );
    }
}

#[test]
fn go_replacement_templates() {
    // Go reads `$01` as the group named "01" (none), the crate as group 1.
    assert_eq!(re_replace("ab", "(a)", "$01|$1x|$-|$$"), s("||$-|$b"));
    // `${a-b}` is not a reference in Go: it is text.
    assert_eq!(re_replace("ab", "a", "${a-b}"), s("${a-b}b"));
    assert_eq!(re_replace("ab", "(?P<x>a)", "[${x}]"), s("[a]b"));
    assert_eq!(re_replace("ab", "(?P<x>a)", "[$x]"), s("[a]b"));
    assert_eq!(re_replace("ab", "a", "${"), s("${b"));
}

/// `replace("abc", "/(?P<n>a)(b)/", TEMPLATE)` in `terraform console` (templates as they
/// reach the function, after HCL's own `$${` escape).
#[test]
fn replacement_templates_match_terraform() {
    let cases = [
        ("$2$1", "bac"),
        ("${1}0", "a0c"),
        ("$10", "c"),
        ("$ 1", "$ 1c"),
        ("$", "$c"),
        ("x$", "x$c"),
        ("${", "${c"),
        ("${}", "${}c"),
        ("${1", "${1c"),
        ("${n}$n", "aac"),
        ("$n_x", "c"),
        ("${0}", "abc"),
        ("$0", "abc"),
        ("$00", "c"),
        ("$$1", "$1c"),
    ];
    for (template, want) in cases {
        assert_eq!(
            re_replace("abc", "(?P<n>a)(b)", template),
            s(want),
            "{template}"
        );
    }
}

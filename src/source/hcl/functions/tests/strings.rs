use super::*;

#[test]
fn join_and_split() {
    assert_eq!(
        ok("join", vec![s(", "), strs(&["a", "b", "c"])]),
        s("a, b, c")
    );
    assert_eq!(
        ok("join", vec![s("-"), strs(&["a"]), l(vec![n(1.0), b(true)])]),
        s("a-1-true")
    );
    assert_eq!(ok("join", vec![s(","), strs(&[])]), s(""));
    assert_eq!(
        err("join", vec![s(","), l(vec![s("a"), TfValue::Null])]),
        "function `join`: element 1 is null; cannot concatenate null values"
    );
    assert_eq!(
        err("join", vec![s(","), strs(&["a"]), l(vec![TfValue::Null])]),
        "function `join`: element 0 of list 2 is null; cannot concatenate null values"
    );
    assert_eq!(
        ok("split", vec![s(","), s("a,b,,c")]),
        strs(&["a", "b", "", "c"])
    );
    assert_eq!(ok("split", vec![s(","), s("")]), strs(&[""]));
    assert_eq!(ok("split", vec![s(""), s("abc")]), strs(&["a", "b", "c"]));
}

#[test]
fn replace_plain_and_regex() {
    assert_eq!(
        ok("replace", vec![s("1 + 2 + 3"), s("+"), s("-")]),
        s("1 - 2 - 3")
    );
    assert_eq!(
        ok(
            "replace",
            vec![s("hello world"), s("/w.*d/"), s("everybody")]
        ),
        s("hello everybody")
    );
    assert_eq!(
        ok(
            "replace",
            vec![s("My_App Name"), s("/[^a-zA-Z0-9]/"), s("-")]
        ),
        s("My-App-Name")
    );
    assert_eq!(
        ok("replace", vec![s("a-b"), s("/(\\w)-(\\w)/"), s("$2-$1")]),
        s("b-a")
    );
    assert_eq!(
        ok("replace", vec![s("abc"), s("/x*/"), s("-")]),
        s("-a-b-c-")
    );
    // A single "/" is a plain substring.
    assert_eq!(ok("replace", vec![s("a/b"), s("/"), s("_")]), s("a_b"));
    assert!(err("replace", vec![s("a"), s("/(/"), s("")]).contains("missing closing )"));
}

#[test]
fn case_functions() {
    assert_eq!(ok("lower", vec![s("HeLLo")]), s("hello"));
    assert_eq!(ok("upper", vec![s("héllo")]), s("HÉLLO"));
    assert_eq!(
        ok("title", vec![s("hello world-foo_bar")]),
        s("Hello World-Foo_bar")
    );
    assert_eq!(ok("upper", vec![n(5.0)]), s("5"));
    assert_eq!(
        err("upper", vec![strs(&["a"])]),
        "function `upper` expects a string, got a list"
    );
    assert_eq!(
        err("lower", vec![TfValue::Null]),
        "function `lower`: argument must not be null"
    );
}

#[test]
fn trimming() {
    assert_eq!(ok("trimspace", vec![s("  hello\n\t")]), s("hello"));
    assert_eq!(ok("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
    assert_eq!(
        ok("trimprefix", vec![s("helloworld"), s("hello")]),
        s("world")
    );
    assert_eq!(
        ok("trimprefix", vec![s("helloworld"), s("cat")]),
        s("helloworld")
    );
    assert_eq!(
        ok("trimsuffix", vec![s("helloworld"), s("world")]),
        s("hello")
    );
    assert_eq!(ok("chomp", vec![s("hello\r\n\n")]), s("hello"));
    assert_eq!(ok("chomp", vec![s("hello\nworld")]), s("hello\nworld"));
}

#[test]
fn substr_counts_characters() {
    assert_eq!(
        ok("substr", vec![s("hello world"), n(1.0), n(4.0)]),
        s("ello")
    );
    assert_eq!(ok("substr", vec![s("🤔🤷"), n(0.0), n(1.0)]), s("🤔"));
    assert_eq!(
        ok("substr", vec![s("hello world"), n(-5.0), n(-1.0)]),
        s("world")
    );
    assert_eq!(ok("substr", vec![s("hello"), n(2.0), n(100.0)]), s("llo"));
    assert_eq!(ok("substr", vec![s("hello"), n(10.0), n(2.0)]), s(""));
    assert_eq!(ok("substr", vec![s("hello"), n(1.0), n(0.0)]), s(""));
    // Terraform's quirk: a zero length from a negative offset takes the rest.
    assert_eq!(ok("substr", vec![s("hello"), n(-2.0), n(0.0)]), s("lo"));
}

#[test]
fn predicates() {
    assert_eq!(
        ok("startswith", vec![s("hello world"), s("hello")]),
        b(true)
    );
    assert_eq!(
        ok("startswith", vec![s("hello world"), s("world")]),
        b(false)
    );
    assert_eq!(ok("endswith", vec![s("hello world"), s("world")]), b(true));
    assert_eq!(ok("strcontains", vec![s("hello world"), s("o w")]), b(true));
    assert_eq!(ok("strcontains", vec![s("hello world"), s("x")]), b(false));
}

#[test]
fn indent_all_lines_but_the_first() {
    assert_eq!(
        ok("indent", vec![n(2.0), s("[\n  foo,\n  bar,\n]\n")]),
        s("[\n    foo,\n    bar,\n  ]\n  ")
    );
    assert!(call("indent", vec![n(-1.0), s("x")]).is_err());
}

#[test]
fn regex_results_by_group_kind() {
    assert_eq!(
        ok(
            "regex",
            vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")]
        ),
        s("aaabbbccc")
    );
    assert_eq!(
        ok(
            "regex",
            vec![s("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)"), s("2019-02-01")]
        ),
        strs(&["2019", "02", "01"])
    );
    assert_eq!(
        ok(
            "regex",
            vec![
                s("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?"),
                s("https://terraform.io/docs/"),
            ]
        ),
        m(vec![
            ("authority", s("terraform.io")),
            ("scheme", s("https"))
        ])
    );
    assert_eq!(
        ok("regex", vec![s("(a)|(b)"), s("b")]),
        l(vec![TfValue::Null, s("b")])
    );
    assert_eq!(
        err("regex", vec![s("[0-9]+"), s("abc")]),
        "function `regex`: pattern did not match any part of the given string"
    );
    assert_eq!(
        ok("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]),
        strs(&["abcd", "efgh"])
    );
    assert_eq!(
        ok("length", vec![ok("regexall", vec![s("[a-z]+"), s("123")])]),
        n(0.0)
    );
    assert_eq!(
        ok("regexall", vec![s("(\\w+)=(\\w+)"), s("a=1, b=2")]),
        l(vec![strs(&["a", "1"]), strs(&["b", "2"])])
    );
}

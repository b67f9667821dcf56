use super::*;

#[test]
fn jsonencode_sorts_keys_and_formats_numbers() {
    let v = m(vec![("b", n(1.0)), ("a", l(vec![b(true), s("x")]))]);
    assert_eq!(ok("jsonencode", vec![v]), s(r#"{"a":[true,"x"],"b":1}"#));
    assert_eq!(ok("jsonencode", vec![n(1.5)]), s("1.5"));
    assert_eq!(ok("jsonencode", vec![n(-20.0)]), s("-20"));
    assert_eq!(ok("jsonencode", vec![n(1e20)]), s("100000000000000000000"));
    assert_eq!(ok("jsonencode", vec![TfValue::Null]), s("null"));
    assert_eq!(ok("jsonencode", vec![l(vec![])]), s("[]"));
    assert_eq!(ok("jsonencode", vec![m(vec![])]), s("{}"));
}

#[test]
fn jsonencode_escapes_like_go() {
    assert_eq!(
        ok("jsonencode", vec![s("<a href=\"x\">&</a>")]),
        s(r#""\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e""#)
    );
    assert_eq!(
        ok("jsonencode", vec![s("line\nbreak\ttab\u{1}\\")]),
        s(r#""line\nbreak\ttab\u0001\\""#)
    );
    assert_eq!(ok("jsonencode", vec![s("é☃")]), s("\"é☃\""));
}

#[test]
fn jsonencode_of_an_iam_policy() {
    let policy = m(vec![
        ("Version", s("2012-10-17")),
        (
            "Statement",
            l(vec![m(vec![
                ("Effect", s("Allow")),
                ("Action", strs(&["s3:GetObject"])),
                ("Resource", s("*")),
            ])]),
        ),
    ]);
    assert_eq!(
        ok("jsonencode", vec![policy]),
        s(
            r#"{"Statement":[{"Action":["s3:GetObject"],"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#
        )
    );
}

#[test]
fn jsondecode_round_trip() {
    assert_eq!(
        ok(
            "jsondecode",
            vec![s(r#"{"hello": "world", "n": [1, 2.5, true, null]}"#)]
        ),
        m(vec![
            ("hello", s("world")),
            ("n", l(vec![n(1.0), n(2.5), b(true), TfValue::Null])),
        ])
    );
    assert_eq!(ok("jsondecode", vec![s("true")]), b(true));
    assert!(err("jsondecode", vec![s("{nope")]).starts_with("function `jsondecode`: invalid JSON"));
}

#[test]
fn base64_both_ways() {
    assert_eq!(
        ok("base64encode", vec![s("Hello World")]),
        s("SGVsbG8gV29ybGQ=")
    );
    assert_eq!(ok("base64encode", vec![s("")]), s(""));
    assert_eq!(ok("base64encode", vec![s("ab")]), s("YWI="));
    assert_eq!(
        ok("base64decode", vec![s("SGVsbG8gV29ybGQ=")]),
        s("Hello World")
    );
    assert_eq!(ok("base64decode", vec![s("YWI=")]), s("ab"));
    assert_eq!(
        err("base64decode", vec![s("abc")]),
        "function `base64decode`: failed to decode base64 data \"abc\""
    );
    assert_eq!(
        err("base64decode", vec![s("/w==")]),
        "function `base64decode`: the result of decoding the provided string is not valid UTF-8"
    );
    // Go's `StdEncoding` (`terraform console`): stray bits after the last byte are ignored,
    // line breaks skipped, padding required and only at the end.
    assert_eq!(ok("base64decode", vec![s("YR==")]), s("a"));
    assert_eq!(ok("base64decode", vec![s("YW\r\nI=")]), s("ab"));
    for bad in ["YWI", "YQ==YQ==", "Y==="] {
        assert_eq!(
            err("base64decode", vec![s(bad)]),
            format!("function `base64decode`: failed to decode base64 data {bad:?}")
        );
    }
}

#[test]
fn hashes() {
    assert_eq!(
        ok("md5", vec![s("hello world")]),
        s("5eb63bbbe01eeed093cb22bb8f5acdc3")
    );
    assert_eq!(
        ok("md5", vec![s("")]),
        s("d41d8cd98f00b204e9800998ecf8427e")
    );
    assert_eq!(
        ok("sha1", vec![s("hello world")]),
        s("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")
    );
    assert_eq!(
        ok("sha1", vec![s("")]),
        s("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    );
    assert_eq!(
        ok("sha256", vec![s("hello world")]),
        s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
    );
    assert_eq!(
        ok("md5", vec![s("héllo")]),
        s("be50e8478cf24ff3595bc7307fb91b50")
    );
    assert_eq!(
        ok("sha1", vec![s("héllo")]),
        s("35b5ea45c5e41f78b46a937cc74d41dfea920890")
    );
    // Longer than one 64-byte block.
    let long = "a".repeat(100);
    assert_eq!(
        ok("md5", vec![s(&long)]),
        s("36a92cc94a9e0fa21f625f8bfb007adf")
    );
    assert_eq!(
        ok("sha1", vec![s(&long)]),
        s("7f9000257a4918d7072655ea468540cdcbd42e0c")
    );
}

#[test]
fn urlencode_like_go_query_escape() {
    assert_eq!(
        ok("urlencode", vec![s("Hello World!")]),
        s("Hello+World%21")
    );
    assert_eq!(
        ok("urlencode", vec![s("a-b_c.d~e/f?g=h&i")]),
        s("a-b_c.d~e%2Ff%3Fg%3Dh%26i")
    );
    assert_eq!(ok("urlencode", vec![s("☃")]), s("%E2%98%83"));
}

#[test]
fn apply_time_functions_are_unknown() {
    for (name, args) in [
        ("uuid", vec![]),
        ("timestamp", vec![]),
        ("bcrypt", vec![s("secret")]),
        ("bcrypt", vec![s("secret"), n(10.0)]),
    ] {
        match ok(name, args) {
            TfValue::Unknown(u) => {
                assert_eq!(u.reason.as_deref(), Some("known only after apply"));
                assert!(u.refs.is_empty());
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

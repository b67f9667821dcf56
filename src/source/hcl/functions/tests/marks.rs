//! Unknown and sensitive values: plan-time semantics.

use super::*;

fn is_sensitive(v: &TfValue) -> bool {
    matches!(v, TfValue::Sensitive(_))
}

fn inner(v: TfValue) -> TfValue {
    match v {
        TfValue::Sensitive(x) => *x,
        other => panic!("expected a sensitive value, got {other:?}"),
    }
}

#[test]
fn unknown_refs_are_the_union_in_order() {
    let out = ok(
        "format",
        vec![
            s("%s-%s-%s"),
            unk(&["aws_s3_bucket.a"]),
            unk(&["aws_kms_key.k", "aws_s3_bucket.a"]),
            s("x"),
        ],
    );
    assert_eq!(refs(&out), vec!["aws_s3_bucket.a", "aws_kms_key.k"]);
    let out = ok(
        "join",
        vec![unk(&["a.sep"]), l(vec![s("x"), unk(&["a.x"])])],
    );
    assert_eq!(refs(&out), vec!["a.sep", "a.x"]);
    assert_eq!(refs(&ok("upper", vec![unk(&["a.b"])])), vec!["a.b"]);
    assert_eq!(
        refs(&ok("replace", vec![s("x"), unk(&["a.b"]), s("y")])),
        vec!["a.b"]
    );
}

#[test]
fn unknown_reasons_pass_through() {
    let failed = TfValue::Unknown(Arc::new(UnknownValue {
        refs: Vec::new(),
        configured: true,
        reason: Some("error: no attribute `x`".into()),
        partial: None,
    }));
    match ok("upper", vec![failed]) {
        TfValue::Unknown(u) => assert_eq!(u.reason.as_deref(), Some("error: no attribute `x`")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn jsonencode_is_unknown_if_anything_inside_is() {
    let policy = m(vec![(
        "Statement",
        l(vec![m(vec![("Resource", unk(&["aws_s3_bucket.logs"]))])]),
    )]);
    assert_eq!(
        refs(&ok("jsonencode", vec![policy])),
        vec!["aws_s3_bucket.logs"]
    );
}

#[test]
fn collections_keep_what_is_known() {
    let list = l(vec![s("a"), unk(&["x.y"])]);
    assert_eq!(ok("length", vec![list.clone()]), n(2.0));
    assert_eq!(refs(&ok("length", vec![unk(&["x.list"])])), vec!["x.list"]);
    assert_eq!(
        ok("concat", vec![list.clone(), strs(&["b"])]),
        l(vec![s("a"), unk(&["x.y"]), s("b")])
    );
    assert_eq!(
        refs(&ok("concat", vec![list.clone(), unk(&["x.z"])])),
        vec!["x.z"]
    );
    assert_eq!(ok("element", vec![list.clone(), n(1.0)]), unk(&["x.y"]));
    assert_eq!(ok("element", vec![list.clone(), n(0.0)]), s("a"));
    assert_eq!(
        refs(&ok("element", vec![list.clone(), unk(&["x.i"])])),
        vec!["x.i"]
    );
    assert_eq!(
        ok("slice", vec![list.clone(), n(1.0), n(2.0)]),
        l(vec![unk(&["x.y"])])
    );
    assert_eq!(
        ok("reverse", vec![list.clone()]),
        l(vec![unk(&["x.y"]), s("a")])
    );
    assert_eq!(
        ok("flatten", vec![l(vec![list.clone(), strs(&["b"])])]),
        l(vec![s("a"), unk(&["x.y"]), s("b")])
    );
    assert_eq!(ok("tolist", vec![list.clone()]), list);
    assert_eq!(refs(&ok("distinct", vec![list.clone()])), vec!["x.y"]);
    assert_eq!(refs(&ok("sort", vec![list])), vec!["x.y"]);
}

#[test]
fn maps_keep_unknown_values() {
    let map = m(vec![("id", unk(&["aws_vpc.main"])), ("name", s("main"))]);
    let merged = ok("merge", vec![map.clone(), m(vec![("extra", b(true))])]);
    assert_eq!(
        merged,
        m(vec![
            ("extra", b(true)),
            ("id", unk(&["aws_vpc.main"])),
            ("name", s("main"))
        ])
    );
    assert_eq!(
        refs(&ok("merge", vec![map.clone(), unk(&["module.x"])])),
        vec!["module.x"]
    );
    assert_eq!(ok("keys", vec![map.clone()]), strs(&["id", "name"]));
    assert_eq!(
        ok("values", vec![map.clone()]),
        l(vec![unk(&["aws_vpc.main"]), s("main")])
    );
    assert_eq!(
        ok("lookup", vec![map.clone(), s("id")]),
        unk(&["aws_vpc.main"])
    );
    assert_eq!(
        ok("lookup", vec![map.clone(), s("name"), s("d")]),
        s("main")
    );
    assert_eq!(
        refs(&ok("lookup", vec![map, unk(&["var.k"])])),
        vec!["var.k"]
    );
    assert_eq!(refs(&ok("keys", vec![unk(&["var.m"])])), vec!["var.m"]);
    assert_eq!(
        ok("zipmap", vec![strs(&["a"]), l(vec![unk(&["x.a"])])]),
        m(vec![("a", unk(&["x.a"]))])
    );
    assert_eq!(
        refs(&ok("zipmap", vec![l(vec![unk(&["x.k"])]), strs(&["v"])])),
        vec!["x.k"]
    );
}

#[test]
fn contains_and_index_depend_on_unknown_elements() {
    let list = l(vec![s("a"), unk(&["x.y"])]);
    assert_eq!(ok("contains", vec![list.clone(), s("a")]), b(true));
    assert_eq!(
        refs(&ok("contains", vec![list.clone(), s("b")])),
        vec!["x.y"]
    );
    assert_eq!(
        refs(&ok("contains", vec![strs(&["a"]), unk(&["x.v"])])),
        vec!["x.v"]
    );
    assert_eq!(ok("index", vec![list.clone(), s("a")]), n(0.0));
    assert_eq!(refs(&ok("index", vec![list, s("b")])), vec!["x.y"]);
}

#[test]
fn coalesce_is_unknown_only_before_a_known_candidate() {
    assert_eq!(ok("coalesce", vec![s("a"), unk(&["x.y"])]), s("a"));
    assert_eq!(
        refs(&ok("coalesce", vec![TfValue::Null, unk(&["x.y"]), s("a")])),
        vec!["x.y"]
    );
    assert_eq!(
        ok("coalescelist", vec![strs(&["a"]), unk(&["x.y"])]),
        strs(&["a"])
    );
    assert_eq!(
        refs(&ok("coalescelist", vec![unk(&["x.y"]), strs(&["a"])])),
        vec!["x.y"]
    );
}

#[test]
fn formatlist_unknown_elements_stay_in_place() {
    let out = ok(
        "formatlist",
        vec![s("arn:%s"), l(vec![s("a"), unk(&["x.b"])])],
    );
    assert_eq!(out, l(vec![s("arn:a"), unk(&["x.b"])]));
    assert_eq!(
        refs(&ok("formatlist", vec![s("%s"), unk(&["x.list"])])),
        vec!["x.list"]
    );
}

#[test]
fn network_and_numbers_propagate_unknowns() {
    assert_eq!(
        refs(&ok(
            "cidrsubnet",
            vec![unk(&["aws_vpc.main"]), n(8.0), n(1.0)]
        )),
        vec!["aws_vpc.main"]
    );
    assert_eq!(
        refs(&ok("max", vec![n(1.0), unk(&["a.b"]), unk(&["c.d"])])),
        vec!["a.b", "c.d"]
    );
    assert_eq!(
        refs(&ok("sum", vec![l(vec![n(1.0), unk(&["a.b"])])])),
        vec!["a.b"]
    );
    assert_eq!(
        refs(&ok("setunion", vec![strs(&["a"]), l(vec![unk(&["a.b"])])])),
        vec!["a.b"]
    );
}

#[test]
fn sensitive_inputs_make_results_sensitive() {
    assert_eq!(ok("upper", vec![sens(s("secret"))]), sens(s("SECRET")));
    assert_eq!(
        ok("format", vec![s("%s:%s"), s("user"), sens(s("pw"))]),
        sens(s("user:pw"))
    );
    // Nested inside a collection passed to jsonencode.
    let out = ok("jsonencode", vec![m(vec![("password", sens(s("pw")))])]);
    assert_eq!(inner(out), s(r#"{"password":"pw"}"#));
    assert_eq!(ok("length", vec![sens(strs(&["a", "b"]))]), sens(n(2.0)));
    assert_eq!(
        ok("keys", vec![sens(m(vec![("k", n(1.0))]))]),
        sens(strs(&["k"]))
    );
    assert!(is_sensitive(&ok(
        "cidrhost",
        vec![sens(s("10.0.0.0/24")), n(1.0)]
    )));
    assert!(is_sensitive(&ok(
        "coalesce",
        vec![sens(TfValue::Null), s("a")]
    )));
}

#[test]
fn sensitive_elements_stay_in_place() {
    let list = l(vec![s("a"), sens(s("b"))]);
    // Moving elements keeps their marks where they are.
    assert_eq!(
        ok("concat", vec![list.clone(), strs(&["c"])]),
        l(vec![s("a"), sens(s("b")), s("c")])
    );
    assert_eq!(ok("element", vec![list.clone(), n(1.0)]), sens(s("b")));
    assert_eq!(ok("element", vec![list.clone(), n(0.0)]), s("a"));
    assert_eq!(ok("length", vec![list.clone()]), n(2.0));
    // Combining element values makes the whole result sensitive.
    assert_eq!(ok("join", vec![s(","), list.clone()]), sens(s("a,b")));
    assert!(is_sensitive(&ok("contains", vec![list.clone(), s("a")])));
    assert_eq!(ok("sort", vec![list]), sens(strs(&["a", "b"])));
    let map = m(vec![("k", sens(s("v")))]);
    assert_eq!(ok("merge", vec![map.clone()]), map.clone());
    assert_eq!(ok("lookup", vec![map, s("k")]), sens(s("v")));
    // A sensitive whole list of lists flattened: the result is sensitive.
    assert!(is_sensitive(&ok(
        "flatten",
        vec![l(vec![sens(strs(&["x"]))])]
    )));
}

#[test]
fn unknown_results_are_not_wrapped_in_sensitive() {
    let out = ok("format", vec![s("%s%s"), sens(s("a")), unk(&["x.y"])]);
    assert_eq!(refs(&out), vec!["x.y"]);
}

#[test]
fn internal_marker_keys_stay_hidden() {
    let resource = m(vec![
        ("\u{0}resource", s("aws_s3_bucket.b")),
        ("bucket", s("logs")),
    ]);
    assert_eq!(ok("keys", vec![resource.clone()]), strs(&["bucket"]));
    assert_eq!(ok("values", vec![resource.clone()]), strs(&["logs"]));
    assert_eq!(ok("length", vec![resource.clone()]), n(1.0));
    assert_eq!(
        ok("jsonencode", vec![resource.clone()]),
        s(r#"{"bucket":"logs"}"#)
    );
    // Moving the object keeps its identity.
    assert_eq!(
        ok("element", vec![l(vec![resource.clone()]), n(0.0)]),
        resource
    );
}

/// The partial JSON of an unknown `jsonencode` result.
fn partial(v: &TfValue) -> crate::source::terraform::Partial {
    match v {
        TfValue::Unknown(u) => (**u.partial.as_ref().expect("a partial")).clone(),
        other => panic!("expected an unknown, got {other:?}"),
    }
}

#[test]
fn jsonencode_keeps_the_known_parts_of_nested_values() {
    use crate::source::terraform::Partial;
    let container = m(vec![
        ("image", unk(&["aws_ecr_repository.app"])),
        (
            "environment",
            l(vec![
                m(vec![("name", s("DB_PASSWORD")), ("value", s("pw"))]),
                m(vec![
                    ("name", s("BUCKET")),
                    ("value", unk(&["aws_s3_bucket.b"])),
                ]),
            ]),
        ),
        ("cpu", n(256.0)),
    ]);
    let out = ok("jsonencode", vec![l(vec![container])]);
    assert_eq!(
        refs(&out),
        vec!["aws_s3_bucket.b", "aws_ecr_repository.app"]
    );
    let p = partial(&out);
    assert!(!p.sensitive);
    assert_eq!(
        p.json,
        format!(
            r#"[{{"cpu":256,"environment":[{{"name":"DB_PASSWORD","value":"pw"}},{{"name":"BUCKET","value":{}}}],"image":{}}}]"#,
            encoding_quote(&Partial::marker(0)),
            encoding_quote(&Partial::marker(1)),
        )
    );
    assert_eq!(p.unknowns[0].refs, vec!["aws_s3_bucket.b"]);
    assert_eq!(p.unknowns[1].refs, vec!["aws_ecr_repository.app"]);
    // The markers parse back to the unknown they stand for, naming its reference.
    let json: serde_json::Value = serde_json::from_str(&p.json).unwrap();
    let image = json[0]["image"].as_str().unwrap();
    let why = p.unknown_at(image).expect("a marker").to_string();
    assert!(why.contains("aws_ecr_repository.app"), "{why}");
    assert!(
        !why.contains('\u{0}') && !why.contains("cbaudit-unknown"),
        "{why}"
    );
    assert!(p.unknown_at("plain").is_none());
    // A string built around an unknown is unknown too.
    assert!(p
        .unknown_in(&format!("{}:latest", Partial::marker(1)))
        .is_some());
}

fn encoding_quote(s: &str) -> String {
    super::super::encoding::json_quote(s)
}

#[test]
fn jsonencode_partials_keep_sensitivity() {
    let nested = m(vec![
        ("password", sens(s("pw"))),
        ("host", unk(&["aws_db_instance.db"])),
    ]);
    assert!(partial(&ok("jsonencode", vec![nested])).sensitive);
    let whole = sens(m(vec![("host", unk(&["aws_db_instance.db"]))]));
    assert!(partial(&ok("jsonencode", vec![whole])).sensitive);
    let plain = m(vec![("host", unk(&["aws_db_instance.db"]))]);
    assert!(!partial(&ok("jsonencode", vec![plain])).sensitive);
    // Debug output never shows the text.
    let p = partial(&ok(
        "jsonencode",
        vec![m(vec![("pw", sens(s("hunter2"))), ("x", unk(&["a.b"]))])],
    ));
    assert!(!format!("{p:?}").contains("hunter2"));
}

#[test]
fn jsonencode_has_no_partial_when_nothing_is_known_or_a_marker_could_be_forged() {
    use crate::source::terraform::Partial;
    let top = ok("jsonencode", vec![unk(&["a.b"])]);
    assert!(matches!(&top, TfValue::Unknown(u) if u.partial.is_none()));
    let forged = m(vec![("x", s(&Partial::marker(0))), ("y", unk(&["a.b"]))]);
    let out = ok("jsonencode", vec![forged]);
    assert!(matches!(&out, TfValue::Unknown(u) if u.partial.is_none()));
    let forged_key = m(vec![
        (Partial::marker(0).as_str(), n(1.0)),
        ("y", unk(&["a.b"])),
    ]);
    let out = ok("jsonencode", vec![forged_key]);
    assert!(matches!(&out, TfValue::Unknown(u) if u.partial.is_none()));
    // Without unknowns, jsonencode stays a plain string.
    assert_eq!(
        ok("jsonencode", vec![m(vec![("a", n(1.0))])]),
        s(r#"{"a":1}"#)
    );
}

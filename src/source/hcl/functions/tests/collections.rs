use super::*;

#[test]
fn length_of_strings_lists_and_maps() {
    assert_eq!(ok("length", vec![strs(&["a", "b", "c"])]), n(3.0));
    assert_eq!(ok("length", vec![m(vec![("a", n(1.0))])]), n(1.0));
    assert_eq!(ok("length", vec![s("héllo")]), n(5.0));
    // A decomposed "é" (e + combining acute) is one character, as in Terraform.
    assert_eq!(ok("length", vec![s("e\u{301}")]), n(1.0));
    assert_eq!(ok("length", vec![s("🇫🇷")]), n(1.0));
    assert_eq!(ok("length", vec![s("")]), n(0.0));
    assert_eq!(
        err("length", vec![TfValue::Null]),
        "function `length`: argument must not be null"
    );
    assert_eq!(
        err("length", vec![n(5.0)]),
        "function `length` expects a string, list or map, got a number"
    );
}

#[test]
fn concat_keeps_order() {
    assert_eq!(
        ok("concat", vec![strs(&["a", "b"]), strs(&[]), strs(&["c"])]),
        strs(&["a", "b", "c"])
    );
    assert_eq!(
        err("concat", vec![strs(&["a"]), s("b")]),
        "function `concat` expects a list, got a string"
    );
}

#[test]
fn merge_later_wins_and_ignores_null() {
    let out = ok(
        "merge",
        vec![
            m(vec![("a", n(1.0)), ("b", n(2.0))]),
            TfValue::Null,
            m(vec![("b", n(3.0)), ("c", n(4.0))]),
        ],
    );
    assert_eq!(out, m(vec![("a", n(1.0)), ("b", n(3.0)), ("c", n(4.0))]));
    assert_eq!(ok("merge", vec![]), m(vec![]));
    assert_eq!(
        err("merge", vec![strs(&["a"])]),
        "function `merge` expects maps or objects, got a list"
    );
}

#[test]
fn lookup_with_and_without_default() {
    let map = m(vec![("a", s("x")), ("b", s("y"))]);
    assert_eq!(ok("lookup", vec![map.clone(), s("a")]), s("x"));
    assert_eq!(ok("lookup", vec![map.clone(), s("z"), s("d")]), s("d"));
    assert_eq!(
        err("lookup", vec![map, s("z")]),
        "function `lookup`: lookup failed to find key \"z\""
    );
    assert_eq!(
        err("lookup", vec![m(vec![]), sens(s("k"))]),
        "function `lookup`: lookup failed to find key (sensitive value)"
    );
}

#[test]
fn element_wraps_around() {
    let list = strs(&["a", "b"]);
    assert_eq!(ok("element", vec![list.clone(), n(0.0)]), s("a"));
    assert_eq!(ok("element", vec![list.clone(), n(3.0)]), s("b"));
    assert_eq!(ok("element", vec![list.clone(), s("2")]), s("a"));
    assert_eq!(ok("element", vec![list.clone(), n(-1.0)]), s("b"));
    assert_eq!(ok("element", vec![strs(&["a", "b", "c"]), n(-4.0)]), s("c"));
    assert_eq!(
        err("element", vec![strs(&[]), n(0.0)]),
        "function `element`: cannot use element function with an empty list"
    );
    assert_eq!(
        err("element", vec![list, n(1.5)]),
        "function `element`: 1.5 is not a whole number"
    );
}

#[test]
fn index_and_contains() {
    let list = strs(&["a", "b", "c"]);
    assert_eq!(ok("index", vec![list.clone(), s("b")]), n(1.0));
    assert_eq!(
        err("index", vec![list.clone(), s("z")]),
        "function `index`: item not found"
    );
    assert_eq!(
        err("index", vec![strs(&[]), s("z")]),
        "function `index`: cannot search an empty list"
    );
    assert_eq!(ok("contains", vec![list.clone(), s("c")]), b(true));
    assert_eq!(ok("contains", vec![list, s("z")]), b(false));
    // Values of different types are never equal.
    assert_eq!(ok("contains", vec![strs(&["1"]), n(1.0)]), b(false));
    assert_eq!(
        ok(
            "contains",
            vec![l(vec![m(vec![("a", n(1.0))])]), m(vec![("a", n(1.0))])]
        ),
        b(true)
    );
}

#[test]
fn keys_and_values_in_key_order() {
    let map = m(vec![("b", n(2.0)), ("a", n(1.0))]);
    assert_eq!(ok("keys", vec![map.clone()]), strs(&["a", "b"]));
    assert_eq!(ok("values", vec![map]), nums(&[1.0, 2.0]));
    assert_eq!(
        err("keys", vec![strs(&["a"])]),
        "function `keys` expects a map, got a list"
    );
}

#[test]
fn flatten_nested_lists() {
    let input = l(vec![l(vec![n(1.0), l(vec![n(2.0)])]), n(3.0), l(vec![])]);
    assert_eq!(ok("flatten", vec![input]), nums(&[1.0, 2.0, 3.0]));
    // Maps are elements, not flattened.
    let maps = l(vec![l(vec![m(vec![("a", n(1.0))])])]);
    assert_eq!(ok("flatten", vec![maps]), l(vec![m(vec![("a", n(1.0))])]));
}

#[test]
fn zipmap_pairs_keys_and_values() {
    assert_eq!(
        ok("zipmap", vec![strs(&["a", "b"]), nums(&[1.0, 2.0])]),
        m(vec![("a", n(1.0)), ("b", n(2.0))])
    );
    assert_eq!(
        err("zipmap", vec![strs(&["a"]), nums(&[1.0, 2.0])]),
        "function `zipmap`: number of keys (1) does not match number of values (2)"
    );
}

#[test]
fn distinct_keeps_first_occurrences() {
    assert_eq!(
        ok("distinct", vec![strs(&["b", "a", "b", "c", "a"])]),
        strs(&["b", "a", "c"])
    );
    // Elements unify to strings first.
    assert_eq!(ok("distinct", vec![l(vec![s("1"), n(1.0)])]), strs(&["1"]));
}

#[test]
fn slice_reverse_one_chunklist() {
    let list = strs(&["a", "b", "c", "d"]);
    assert_eq!(
        ok("slice", vec![list.clone(), n(1.0), n(3.0)]),
        strs(&["b", "c"])
    );
    assert_eq!(ok("slice", vec![list.clone(), n(2.0), n(2.0)]), strs(&[]));
    assert_eq!(
        err("slice", vec![list.clone(), n(1.0), n(5.0)]),
        "function `slice`: the end index must not be greater than the length of the list"
    );
    assert_eq!(
        err("slice", vec![list.clone(), n(3.0), n(1.0)]),
        "function `slice`: the start index must not be greater than the end index"
    );
    assert_eq!(
        ok("reverse", vec![list.clone()]),
        strs(&["d", "c", "b", "a"])
    );
    assert_eq!(ok("one", vec![strs(&[])]), TfValue::Null);
    assert_eq!(ok("one", vec![strs(&["x"])]), s("x"));
    assert!(err("one", vec![strs(&["x", "y"])]).contains("either zero or one elements"));
    assert_eq!(
        ok("chunklist", vec![list.clone(), n(3.0)]),
        l(vec![strs(&["a", "b", "c"]), strs(&["d"])])
    );
    assert_eq!(ok("chunklist", vec![list.clone(), n(0.0)]), l(vec![list]));
}

#[test]
fn matchkeys_and_transpose() {
    assert_eq!(
        ok(
            "matchkeys",
            vec![
                strs(&["i-1", "i-2", "i-3"]),
                strs(&["us-west", "us-east", "us-east"]),
                strs(&["us-east"]),
            ]
        ),
        strs(&["i-2", "i-3"])
    );
    assert_eq!(
        ok(
            "transpose",
            vec![m(vec![("a", strs(&["1", "2"])), ("b", strs(&["2", "3"]))])]
        ),
        m(vec![
            ("1", strs(&["a"])),
            ("2", strs(&["a", "b"])),
            ("3", strs(&["b"]))
        ])
    );
}

#[test]
fn coalesce_skips_null_and_empty_strings() {
    assert_eq!(
        ok("coalesce", vec![TfValue::Null, s(""), s("b"), s("c")]),
        s("b")
    );
    assert_eq!(ok("coalesce", vec![n(1.0), n(2.0)]), n(1.0));
    // Mixed strings and numbers unify to strings.
    assert_eq!(ok("coalesce", vec![TfValue::Null, n(2.0), s("x")]), s("2"));
    assert_eq!(
        err("coalesce", vec![TfValue::Null, s("")]),
        "function `coalesce`: no non-null, non-empty-string arguments"
    );
    assert_eq!(
        ok(
            "coalescelist",
            vec![strs(&[]), strs(&["c", "d"]), strs(&["e"])]
        ),
        strs(&["c", "d"])
    );
    assert_eq!(
        err("coalescelist", vec![strs(&[]), TfValue::Null]),
        "function `coalescelist`: no non-null arguments"
    );
}

use super::*;

#[test]
fn tostring_formats_numbers_like_terraform() {
    assert_eq!(ok("tostring", vec![n(5.0)]), s("5"));
    assert_eq!(ok("tostring", vec![n(1.5)]), s("1.5"));
    assert_eq!(ok("tostring", vec![n(-3.0)]), s("-3"));
    assert_eq!(ok("tostring", vec![b(true)]), s("true"));
    assert_eq!(ok("tostring", vec![s("x")]), s("x"));
    assert_eq!(ok("tostring", vec![TfValue::Null]), TfValue::Null);
    assert_eq!(
        err("tostring", vec![strs(&["a"])]),
        "function `tostring`: cannot convert a list to a string"
    );
}

#[test]
fn tonumber_and_tobool() {
    assert_eq!(ok("tonumber", vec![s("42")]), n(42.0));
    assert_eq!(ok("tonumber", vec![s("-1.25")]), n(-1.25));
    assert_eq!(ok("tonumber", vec![n(3.0)]), n(3.0));
    assert_eq!(ok("tonumber", vec![TfValue::Null]), TfValue::Null);
    assert_eq!(
        err("tonumber", vec![s("abc")]),
        "function `tonumber`: cannot convert \"abc\" to a number"
    );
    assert!(call("tonumber", vec![s("inf")]).is_err());
    assert!(call("tonumber", vec![s(" 1")]).is_err());
    assert_eq!(ok("tobool", vec![s("true")]), b(true));
    assert_eq!(ok("tobool", vec![b(false)]), b(false));
    assert_eq!(ok("tobool", vec![TfValue::Null]), TfValue::Null);
    assert_eq!(
        err("tobool", vec![s("yes")]),
        "function `tobool`: cannot convert \"yes\" to a bool"
    );
    assert_eq!(
        err("tobool", vec![n(1.0)]),
        "function `tobool`: cannot convert a number to a bool"
    );
}

#[test]
fn toset_sorts_and_deduplicates() {
    assert_eq!(ok("toset", vec![strs(&["b", "a", "b"])]), strs(&["a", "b"]));
    assert_eq!(
        ok("toset", vec![nums(&[10.0, 9.0, 10.0])]),
        nums(&[9.0, 10.0])
    );
    // A mix of strings and numbers becomes strings.
    assert_eq!(
        ok("toset", vec![l(vec![s("a"), n(1.0)])]),
        strs(&["1", "a"])
    );
    assert_eq!(
        err("toset", vec![l(vec![n(1.0), b(true)])]),
        "function `toset`: all elements must have the same type"
    );
    assert_eq!(
        err("toset", vec![m(vec![])]),
        "function `toset`: cannot convert a map to a set"
    );
}

#[test]
fn tolist_and_tomap_unify_element_types() {
    assert_eq!(
        ok("tolist", vec![l(vec![s("a"), n(1.0), b(true)])]),
        strs(&["a", "1", "true"])
    );
    assert_eq!(ok("tolist", vec![nums(&[2.0, 1.0])]), nums(&[2.0, 1.0]));
    assert_eq!(
        ok("tomap", vec![m(vec![("a", s("x")), ("b", n(2.0))])]),
        m(vec![("a", s("x")), ("b", s("2"))])
    );
    assert_eq!(
        err("tolist", vec![l(vec![s("a"), strs(&["b"])])]),
        "function `tolist`: all elements must have the same type"
    );
    assert_eq!(
        err("tomap", vec![strs(&["a"])]),
        "function `tomap`: cannot convert a list to a map"
    );
}

#[test]
fn sort_is_lexicographic_on_strings() {
    assert_eq!(
        ok("sort", vec![strs(&["e", "d", "a", "x"])]),
        strs(&["a", "d", "e", "x"])
    );
    // Numbers sort as strings, as in Terraform.
    assert_eq!(
        ok("sort", vec![nums(&[10.0, 9.0, 1.0])]),
        strs(&["1", "10", "9"])
    );
    assert_eq!(
        err("sort", vec![l(vec![s("a"), TfValue::Null])]),
        "function `sort`: given list element 1 is null; a null string cannot be sorted"
    );
}

#[test]
fn compact_removes_null_and_empty() {
    assert_eq!(
        ok(
            "compact",
            vec![l(vec![s("a"), s(""), TfValue::Null, s("b"), n(1.0)])]
        ),
        strs(&["a", "b", "1"])
    );
    assert_eq!(
        err("compact", vec![l(vec![strs(&["a"])])]),
        "function `compact`: list element 0 is a list, not a string"
    );
}

#[test]
fn set_functions() {
    assert_eq!(
        ok("setunion", vec![strs(&["b", "a"]), strs(&["c", "b"])]),
        strs(&["a", "b", "c"])
    );
    assert_eq!(
        ok(
            "setintersection",
            vec![
                strs(&["a", "b", "c"]),
                strs(&["c", "b", "d"]),
                strs(&["b", "c"])
            ]
        ),
        strs(&["b", "c"])
    );
    assert_eq!(
        ok(
            "setsubtract",
            vec![strs(&["a", "b", "c"]), strs(&["a", "c"])]
        ),
        strs(&["b"])
    );
    // Numbers and strings unify across the arguments.
    assert_eq!(
        ok("setunion", vec![nums(&[1.0]), strs(&["a"])]),
        strs(&["1", "a"])
    );
    assert_eq!(
        err("setsubtract", vec![strs(&["a"])]),
        "function `setsubtract` expects 2 arguments, got 1"
    );
}

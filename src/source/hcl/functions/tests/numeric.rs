use super::*;

#[test]
fn min_max_abs_ceil_floor() {
    assert_eq!(ok("min", vec![n(12.0), n(54.0), n(3.0)]), n(3.0));
    assert_eq!(ok("max", vec![n(12.0), n(54.0), n(3.0)]), n(54.0));
    assert_eq!(ok("max", vec![s("5"), n(2.0)]), n(5.0));
    assert_eq!(
        err("min", vec![]),
        "function `min`: must pass at least one number"
    );
    assert_eq!(ok("abs", vec![n(-12.4)]), n(12.4));
    assert_eq!(ok("ceil", vec![n(5.1)]), n(6.0));
    assert_eq!(ok("floor", vec![n(4.9)]), n(4.0));
    assert_eq!(ok("floor", vec![n(-4.1)]), n(-5.0));
    assert_eq!(
        err("abs", vec![s("x")]),
        "function `abs`: cannot convert \"x\" to a number"
    );
    assert_eq!(
        err("abs", vec![b(true)]),
        "function `abs` expects a number, got a bool"
    );
}

#[test]
fn sum_of_numbers() {
    assert_eq!(ok("sum", vec![nums(&[10.0, 13.0, 6.0, 4.5])]), n(33.5));
    assert_eq!(ok("sum", vec![l(vec![s("1"), n(2.0)])]), n(3.0));
    assert_eq!(
        err("sum", vec![nums(&[])]),
        "function `sum`: cannot sum an empty list"
    );
}

#[test]
fn range_forms() {
    assert_eq!(ok("range", vec![n(3.0)]), nums(&[0.0, 1.0, 2.0]));
    assert_eq!(ok("range", vec![n(1.0), n(4.0)]), nums(&[1.0, 2.0, 3.0]));
    assert_eq!(
        ok("range", vec![n(1.0), n(8.0), n(2.0)]),
        nums(&[1.0, 3.0, 5.0, 7.0])
    );
    assert_eq!(ok("range", vec![n(4.0), n(1.0)]), nums(&[4.0, 3.0, 2.0]));
    assert_eq!(
        ok("range", vec![n(10.0), n(5.0), n(-2.0)]),
        nums(&[10.0, 8.0, 6.0])
    );
    assert_eq!(ok("range", vec![n(1.0), n(2.0), n(0.5)]), nums(&[1.0, 1.5]));
    assert_eq!(ok("range", vec![n(0.0)]), nums(&[]));
    assert_eq!(
        err("range", vec![n(1.0), n(4.0), n(0.0)]),
        "function `range`: step must not be zero"
    );
    assert_eq!(
        err("range", vec![n(1.0), n(4.0), n(-1.0)]),
        "function `range`: step must be positive when start is less than limit"
    );
    assert!(err("range", vec![n(2000.0)]).contains("more than 1024 values"));
}

#[test]
fn alltrue_anytrue() {
    assert_eq!(ok("alltrue", vec![l(vec![b(true), s("true")])]), b(true));
    assert_eq!(ok("alltrue", vec![l(vec![b(true), b(false)])]), b(false));
    assert_eq!(ok("alltrue", vec![l(vec![])]), b(true));
    assert_eq!(
        ok("alltrue", vec![l(vec![b(true), TfValue::Null])]),
        b(false)
    );
    assert_eq!(ok("anytrue", vec![l(vec![b(false), b(true)])]), b(true));
    assert_eq!(ok("anytrue", vec![l(vec![])]), b(false));
    assert_eq!(
        ok("anytrue", vec![l(vec![TfValue::Null, b(false)])]),
        b(false)
    );
    // Unknowns decide only when nothing known does.
    // In order, as Terraform: an unknown before a false makes the result unknown.
    assert_eq!(
        ok("alltrue", vec![l(vec![b(false), unk(&["a.b"])])]),
        b(false)
    );
    assert_eq!(
        refs(&ok("alltrue", vec![l(vec![unk(&["a.b"]), b(false)])])),
        vec!["a.b"]
    );
    assert_eq!(
        refs(&ok("alltrue", vec![l(vec![unk(&["a.b"]), b(true)])])),
        vec!["a.b"]
    );
    assert_eq!(
        ok("anytrue", vec![l(vec![unk(&["a.b"]), b(true)])]),
        b(true)
    );
    assert!(is_unknown(&ok(
        "anytrue",
        vec![l(vec![unk(&["a.b"]), b(false)])]
    )));
}

use super::*;

fn f(spec: &str, args: Vec<TfValue>) -> TfValue {
    let mut all = vec![s(spec)];
    all.extend(args);
    ok("format", all)
}

#[test]
fn strings_and_integers() {
    assert_eq!(f("%s-%03d", vec![s("a"), n(7.0)]), s("a-007"));
    assert_eq!(f("Hello, %s!", vec![s("Ander")]), s("Hello, Ander!"));
    assert_eq!(
        f("There are %d lights", vec![n(4.0)]),
        s("There are 4 lights")
    );
    assert_eq!(f("%d", vec![s("12")]), s("12"));
    assert_eq!(
        f("%5d|%-5d|%+d", vec![n(42.0), n(42.0), n(42.0)]),
        s("   42|42   |+42")
    );
    assert_eq!(f("%03d", vec![n(-7.0)]), s("-07"));
    assert_eq!(
        f("%x %X %o %b", vec![n(255.0), n(255.0), n(8.0), n(5.0)]),
        s("ff FF 10 101")
    );
    assert_eq!(f("%#x", vec![n(255.0)]), s("0xff"));
    assert_eq!(f("%s", vec![n(5.0)]), s("5"));
    assert_eq!(f("%s", vec![b(true)]), s("true"));
    assert_eq!(
        f("%.3s|%5s|%-5s|", vec![s("abcdef"), s("ab"), s("ab")]),
        s("abc|   ab|ab   |")
    );
    // A zero precision does not truncate; width and precision count characters.
    assert_eq!(
        f("%.0s|%05s|%3s", vec![s("abc"), s("ab"), s("é")]),
        s("abc|000ab|  é")
    );
    assert_eq!(
        f(
            "%#08x|%08d|%.3d|%.0d|",
            vec![n(255.0), n(-42.0), n(7.0), n(0.0)]
        ),
        s("0x0000ff|-0000042|007||")
    );
    assert_eq!(f("%#o %#b", vec![n(8.0), n(5.0)]), s("010 0b101"));
    assert_eq!(f("100%%", vec![]), s("100%"));
}

#[test]
fn floats() {
    assert_eq!(f("%f", vec![n(1.23456)]), s("1.234560"));
    assert_eq!(f("%.2f", vec![n(1.23556)]), s("1.24"));
    assert_eq!(f("%.0f", vec![n(2.5)]), s("2"));
    assert_eq!(f("%8.3f", vec![n(-1.23456)]), s("  -1.235"));
    assert_eq!(
        f("%08.3f|%-8.2f|%+.1f", vec![n(-1.23456), n(1.5), n(2.0)]),
        s("-001.235|1.50    |+2.0")
    );
    assert_eq!(f("%e", vec![n(1234.5678)]), s("1.234568e+03"));
    assert_eq!(f("%.2E", vec![n(0.000123)]), s("1.23E-04"));
    assert_eq!(f("%g", vec![n(100000.0)]), s("100000"));
    assert_eq!(f("%g", vec![n(1000000.0)]), s("1e+06"));
    assert_eq!(f("%g", vec![n(0.00001)]), s("1e-05"));
    assert_eq!(f("%g", vec![n(3.25)]), s("3.25"));
    assert_eq!(f("%.3g", vec![n(1234.0)]), s("1.23e+03"));
    assert_eq!(f("%.3g", vec![n(1.0)]), s("1"));
}

#[test]
fn values_quotes_and_bools() {
    assert_eq!(f("%v", vec![s("x")]), s("x"));
    assert_eq!(f("%v", vec![n(1.5)]), s("1.5"));
    // Numbers use %g: large exponents switch to exponent form, as in Terraform.
    assert_eq!(
        f("%v|%v|%v", vec![n(123456.0), n(1000000.0), n(-2.0)]),
        s("123456|1e+06|-2")
    );
    assert_eq!(f("%5v|%-3v|", vec![n(42.0), b(true)]), s("   42|true|"));
    assert_eq!(f("%v", vec![TfValue::Null]), s("null"));
    assert_eq!(
        f("%v", vec![m(vec![("b", n(1.0)), ("a", strs(&["x"]))])]),
        s("{\"a\":[\"x\"],\"b\":1}")
    );
    assert_eq!(f("%#v", vec![s("x")]), s("\"x\""));
    assert_eq!(f("%q", vec![s("say \"hi\"")]), s("\"say \\\"hi\\\"\""));
    assert_eq!(f("%q", vec![n(5.0)]), s("\"5\""));
    assert_eq!(f("%t", vec![b(false)]), s("false"));
    assert_eq!(f("%t", vec![s("true")]), s("true"));
    assert_eq!(f("%10t", vec![b(true)]), s("true"));
}

#[test]
fn argument_indexes() {
    assert_eq!(f("%[2]s %[1]s %s", vec![s("a"), s("b")]), s("b a b"));
    assert_eq!(f("%[1]s-%[1]s", vec![s("x")]), s("x-x"));
}

#[test]
fn format_errors() {
    assert_eq!(
        err("format", vec![s("%s %s"), s("a")]),
        "function `format`: not enough arguments for \"%s\" at 3: need index 2 but have 1 total"
    );
    assert_eq!(
        err("format", vec![s("%s"), s("a"), s("b")]),
        "function `format`: too many arguments; only 1 used by format string"
    );
    assert_eq!(
        err("format", vec![s("%d"), n(1.5)]),
        "function `format`: unsupported value for \"%d\" at 0: an integer is required"
    );
    assert_eq!(
        err("format", vec![s("%s"), TfValue::Null]),
        "function `format`: unsupported value for \"%s\" at 0: null value cannot be formatted"
    );
    assert_eq!(
        err("format", vec![s("%s"), strs(&["a"])]),
        "function `format`: unsupported value for \"%s\" at 0: string required"
    );
    assert_eq!(
        err("format", vec![s("ab %z"), s("a")]),
        "function `format`: unsupported format verb 'z' in \"%z\" at offset 3"
    );
    assert_eq!(
        err("format", vec![s("%!"), s("a")]),
        "function `format`: unrecognized format character '!' at offset 1"
    );
    assert_eq!(
        err("format", vec![s("abc %")]),
        "function `format`: invalid format string starting at offset 5"
    );
    assert_eq!(
        err("format", vec![s("abc"), s("x")]),
        "function `format`: too many arguments; no verbs in format string"
    );
    assert_eq!(
        err("format", vec![s("é%d"), s("x")]),
        "function `format`: unsupported value for \"%d\" at 2: a number is required"
    );
}

#[test]
fn formatlist_iterates_over_lists() {
    assert_eq!(
        ok(
            "formatlist",
            vec![s("Hello, %s!"), strs(&["Valentina", "Ander"])]
        ),
        strs(&["Hello, Valentina!", "Hello, Ander!"])
    );
    assert_eq!(
        ok(
            "formatlist",
            vec![
                s("%s, %s!"),
                s("Salutations"),
                strs(&["Valentina", "Ander"])
            ]
        ),
        strs(&["Salutations, Valentina!", "Salutations, Ander!"])
    );
    assert_eq!(
        ok(
            "formatlist",
            vec![s("%s=%s"), strs(&["a", "b"]), strs(&["1", "2"])]
        ),
        strs(&["a=1", "b=2"])
    );
    assert_eq!(ok("formatlist", vec![s("%s"), s("x")]), strs(&["x"]));
    assert_eq!(
        err("formatlist", vec![s("%s%s"), strs(&["a"]), strs(&["1", "2"])]),
        "function `formatlist`: argument 2 has length 2, which is inconsistent with argument 1 of length 1"
    );
}

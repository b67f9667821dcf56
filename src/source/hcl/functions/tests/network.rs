use super::*;

#[test]
fn cidrsubnet_ipv4_and_ipv6() {
    assert_eq!(
        ok("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(2.0)]),
        s("10.0.2.0/24")
    );
    assert_eq!(
        ok("cidrsubnet", vec![s("172.16.0.0/12"), n(4.0), n(2.0)]),
        s("172.18.0.0/16")
    );
    assert_eq!(
        ok("cidrsubnet", vec![s("10.1.2.0/24"), n(4.0), n(15.0)]),
        s("10.1.2.240/28")
    );
    // The host part of the prefix is ignored.
    assert_eq!(
        ok("cidrsubnet", vec![s("10.0.1.5/16"), n(8.0), n(3.0)]),
        s("10.0.3.0/24")
    );
    assert_eq!(
        ok(
            "cidrsubnet",
            vec![s("fd00:fd12:3456:7890::/56"), n(16.0), n(162.0)]
        ),
        s("fd00:fd12:3456:7800:a200::/72")
    );
    assert_eq!(
        ok("cidrsubnet", vec![s("10.0.0.0/16"), n(0.0), n(0.0)]),
        s("10.0.0.0/16")
    );
}

#[test]
fn cidrsubnet_errors() {
    assert_eq!(
        err("cidrsubnet", vec![s("10.0.0.0/16"), n(4.0), n(16.0)]),
        "function `cidrsubnet`: prefix extension of 4 does not accommodate a subnet numbered 16"
    );
    assert_eq!(
        err("cidrsubnet", vec![s("10.0.0.0/30"), n(4.0), n(0.0)]),
        "function `cidrsubnet`: insufficient address space to extend prefix of 30 by 4"
    );
    assert_eq!(
        err("cidrsubnet", vec![s("10.0.0/16"), n(4.0), n(0.0)]),
        "function `cidrsubnet`: invalid CIDR expression: invalid CIDR address: 10.0.0/16"
    );
    assert!(call("cidrsubnet", vec![s("10.0.0.0"), n(4.0), n(0.0)]).is_err());
    assert!(call("cidrsubnet", vec![s("10.0.0.0/33"), n(1.0), n(0.0)]).is_err());
    assert!(call("cidrsubnet", vec![s("256.0.0.0/8"), n(1.0), n(0.0)]).is_err());
}

#[test]
fn cidrhost_counts_from_both_ends() {
    assert_eq!(
        ok("cidrhost", vec![s("10.0.1.0/24"), n(5.0)]),
        s("10.0.1.5")
    );
    assert_eq!(
        ok("cidrhost", vec![s("10.12.112.0/20"), n(16.0)]),
        s("10.12.112.16")
    );
    assert_eq!(
        ok("cidrhost", vec![s("10.12.112.0/20"), n(268.0)]),
        s("10.12.113.12")
    );
    assert_eq!(
        ok("cidrhost", vec![s("10.0.1.0/24"), n(-1.0)]),
        s("10.0.1.255")
    );
    assert_eq!(
        ok("cidrhost", vec![s("10.0.1.0/24"), n(-2.0)]),
        s("10.0.1.254")
    );
    assert_eq!(
        ok(
            "cidrhost",
            vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34.0)]
        ),
        s("fd00:fd12:3456:7890::22")
    );
    assert_eq!(
        err("cidrhost", vec![s("10.0.1.0/24"), n(256.0)]),
        "function `cidrhost`: prefix of 24 does not accommodate a host numbered 256"
    );
    assert!(call("cidrhost", vec![s("10.0.1.0/24"), n(-257.0)]).is_err());
}

#[test]
fn cidrnetmask_ipv4_only() {
    assert_eq!(
        ok("cidrnetmask", vec![s("172.16.0.0/12")]),
        s("255.240.0.0")
    );
    assert_eq!(
        ok("cidrnetmask", vec![s("10.0.0.0/32")]),
        s("255.255.255.255")
    );
    assert_eq!(ok("cidrnetmask", vec![s("0.0.0.0/0")]), s("0.0.0.0"));
    assert_eq!(
        err("cidrnetmask", vec![s("fd00::/64")]),
        "function `cidrnetmask`: IPv6 addresses cannot have a netmask: fd00::/64"
    );
}

#[test]
fn cidrsubnets_allocates_consecutively() {
    assert_eq!(
        ok(
            "cidrsubnets",
            vec![s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)]
        ),
        strs(&[
            "10.1.0.0/20",
            "10.1.16.0/20",
            "10.1.32.0/24",
            "10.1.48.0/20"
        ])
    );
    assert_eq!(
        ok(
            "cidrsubnets",
            vec![
                s("fd00:fd12:3456:7890::/56"),
                n(16.0),
                n(16.0),
                n(16.0),
                n(32.0)
            ]
        ),
        strs(&[
            "fd00:fd12:3456:7800::/72",
            "fd00:fd12:3456:7800:100::/72",
            "fd00:fd12:3456:7800:200::/72",
            "fd00:fd12:3456:7800:300::/88",
        ])
    );
    assert_eq!(ok("cidrsubnets", vec![s("10.0.0.0/8")]), strs(&[]));
    assert_eq!(
        err("cidrsubnets", vec![s("10.0.0.0/30"), n(1.0), n(1.0), n(1.0)]),
        "function `cidrsubnets`: argument 4: not enough remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31"
    );
    assert_eq!(
        err("cidrsubnets", vec![s("10.0.0.0/30"), n(3.0)]),
        "function `cidrsubnets`: argument 2: would extend prefix to 33 bits, which is too long for an IPv4 address"
    );
    assert!(err("cidrsubnets", vec![s("10.0.0.0/8"), n(0.0)]).contains("at least one bit"));
}

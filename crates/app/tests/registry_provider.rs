//! Providers: registration, update, and every bad input refused with a clear error and no
//! state change.

mod registry_common;

use dcloud_app::modules::provider::{self, Attribute};
use dcloud_app::query::ProviderPage;
use dcloud_app::testkit::{
    create_provider_msg, pb_attrs, update_provider_msg, TestChain, TestConfig,
};
use dcloud_proto::dcloud::provider::{MsgCreateProvider, ProviderInfo};
use dcloud_proto::Msg;
use registry_common::{assert_fails_in_block, assert_refused, deliver_ok, event};

const HOST: &str = "https://provider.example.com:8443";

fn chain() -> TestChain {
    TestChain::new(TestConfig::default())
}

fn stored(c: &TestChain, i: usize) -> Option<provider::Provider> {
    provider::get_provider(&c.store().latest(), &c.address(i)).unwrap()
}

#[test]
fn a_provider_registers_with_host_attributes_and_info_and_can_be_queried() {
    let mut c = chain();
    let owner = c.address(0);
    let msg = Msg::CreateProvider(MsgCreateProvider {
        owner: owner.to_string(),
        host_uri: HOST.into(),
        attributes: pb_attrs(&[("region", "eu-west"), ("capabilities/gpu", "nvidia")]),
        info: Some(ProviderInfo {
            email: "ops@example.com".into(),
            website: "https://example.com".into(),
        }),
    });
    let tx = c.tx(0, vec![msg]);
    let r = deliver_ok(&mut c, tx);
    assert_eq!(event(&r, "EventProviderCreated").get("owner"), Some(owner.to_string().as_str()));
    assert_eq!(event(&r, "message").get("module"), Some("provider"));
    let p = stored(&c, 0).unwrap();
    assert_eq!(p.host_uri, HOST);
    assert_eq!(
        p.attributes,
        vec![
            Attribute { key: "capabilities/gpu".into(), value: "nvidia".into() },
            Attribute { key: "region".into(), value: "eu-west".into() },
        ],
        "stored sorted by key"
    );
    assert_eq!(p.info.email, "ops@example.com");
    let got: provider::Provider = serde_json::from_slice(
        &c.query("/provider/get", owner.to_string().as_bytes(), 0, false).value,
    )
    .unwrap();
    assert_eq!(got, p);
}

#[test]
fn an_update_replaces_host_attributes_and_info_wholesale() {
    let mut c = chain();
    let owner = c.address(1);
    let tx = c.tx(1, vec![create_provider_msg(&owner, HOST, &[("region", "eu"), ("tier", "1")])]);
    deliver_ok(&mut c, tx);
    let tx = c.tx(1, vec![update_provider_msg(&owner, "https://10.0.0.1", &[("zone", "b")])]);
    let r = deliver_ok(&mut c, tx);
    assert!(r.events.iter().any(|e| e.kind == "EventProviderUpdated"));
    let p = stored(&c, 1).unwrap();
    assert_eq!(p.host_uri, "https://10.0.0.1");
    assert_eq!(p.attributes, vec![Attribute { key: "zone".into(), value: "b".into() }]);
}

#[test]
fn the_provider_list_is_paginated_in_address_order() {
    let mut c = chain();
    let mut txs = Vec::new();
    for i in 0..3 {
        let a = c.address(i);
        txs.push(c.tx(i, vec![create_provider_msg(&a, HOST, &[("nr", "x")])]));
    }
    let r = c.deliver_block(txs);
    assert!(r.tx_results.iter().all(|t| t.code == 0));
    let page: ProviderPage =
        serde_json::from_slice(&c.query("/provider/list", br#"{"limit":2}"#, 0, false).value)
            .unwrap();
    assert_eq!(page.providers.len(), 2);
    let next = page.next.clone().expect("a next page");
    let req = serde_json::json!({"start_after": next, "limit": 2}).to_string();
    let page2: ProviderPage =
        serde_json::from_slice(&c.query("/provider/list", req.as_bytes(), 0, false).value).unwrap();
    assert_eq!(page2.providers.len(), 1);
    assert!(page2.next.is_none());
    let all: ProviderPage =
        serde_json::from_slice(&c.query("/provider/list", b"", 0, false).value).unwrap();
    assert_eq!(all.providers.len(), 3);
    assert!(all.providers.windows(2).all(|w| w[0].owner.as_bytes() < w[1].owner.as_bytes()));
}

#[test]
fn bad_host_uris_are_refused_with_code_4_in_the_provider_codespace() {
    let mut c = chain();
    let owner = c.address(0);
    for (uri, why) in [
        ("http://provider.example.com", "https://"),
        ("provider.example.com:8443", "https://"),
        ("https://provider.example.com/api", "empty path"),
        ("https://provider.example.com?x=1", "empty path"),
        ("https://", "missing host"),
        ("https://bad_host!.com", "invalid host"),
        ("https://example.com:0", "invalid port"),
        ("https://example.com:99999", "invalid port"),
        ("https://user@example.com", "user info"),
    ] {
        let tx = c.tx(0, vec![create_provider_msg(&owner, uri, &[])]);
        assert_refused(&mut c, tx, "provider", 4, why);
        c.resync_sequences();
    }
    assert!(stored(&c, 0).is_none());
}

#[test]
fn good_host_uris_include_ports_ipv4_and_ipv6() {
    for uri in [
        "https://a.example.com",
        "https://a.example.com:443",
        "https://127.0.0.1:8443",
        "https://[::1]:8443",
    ] {
        provider::validate_host_uri(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
    }
}

#[test]
fn bad_attribute_keys_duplicates_empty_values_and_too_many_are_refused() {
    let mut c = chain();
    let owner = c.address(0);
    let many: Vec<(String, String)> = (0..65).map(|i| (format!("k{i:02}"), "v".into())).collect();
    let many_ref: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("1region", "eu")], "must match"),
        (vec![("r", "eu")], "must match"),
        (vec![("region name", "eu")], "must match"),
        (vec![("region*", "eu")], "must match"),
        (vec![("region", "eu"), ("region", "us")], "duplicate attribute key \"region\""),
        (vec![("region", "")], "value of \"region\" is empty"),
        (many_ref, "65 attributes, at most 64"),
    ];
    for (attrs, why) in cases {
        let tx = c.tx(0, vec![create_provider_msg(&owner, HOST, &attrs)]);
        assert_refused(&mut c, tx, "provider", 5, why);
        c.resync_sequences();
    }
}

#[test]
fn malformed_contact_info_is_refused() {
    let mut c = chain();
    let owner = c.address(0);
    for (email, website, why) in [
        ("not-an-email", "", "email"),
        ("a@b", "", "email"),
        ("", "ftp://example.com", "website"),
        ("", "https://", "website"),
    ] {
        let msg = Msg::CreateProvider(MsgCreateProvider {
            owner: owner.to_string(),
            host_uri: HOST.into(),
            attributes: vec![],
            info: Some(ProviderInfo { email: email.into(), website: website.into() }),
        });
        let tx = c.tx(0, vec![msg]);
        assert_refused(&mut c, tx, "provider", 6, why);
        c.resync_sequences();
    }
}

#[test]
fn registering_twice_fails_with_provider_exists_and_keeps_the_first_registration() {
    let mut c = chain();
    let owner = c.address(0);
    let tx = c.tx(0, vec![create_provider_msg(&owner, HOST, &[("region", "eu")])]);
    deliver_ok(&mut c, tx);
    let tx = c.tx(0, vec![create_provider_msg(&owner, "https://other.example.com", &[])]);
    assert_fails_in_block(&mut c, tx, "provider", 2, "already registered");
    assert_eq!(stored(&c, 0).unwrap().host_uri, HOST);
}

#[test]
fn updating_a_provider_that_does_not_exist_fails_with_provider_not_found() {
    let mut c = chain();
    let owner = c.address(2);
    let tx = c.tx(2, vec![update_provider_msg(&owner, HOST, &[])]);
    assert_fails_in_block(&mut c, tx, "provider", 3, "is not registered");
    assert!(stored(&c, 2).is_none());
}

#[test]
fn registering_someone_else_as_a_provider_is_unauthorized() {
    let mut c = chain();
    let victim = c.address(1);
    // Key 0 signs a message whose owner (and so signer) is key 1.
    let tx = c.tx(0, vec![create_provider_msg(&victim, HOST, &[])]);
    assert_refused(&mut c, tx, "sdk", 4, "unauthorized");
    assert!(stored(&c, 1).is_none());
}

#[test]
fn querying_a_missing_provider_is_a_clear_error() {
    let c = chain();
    let e =
        c.app().query("/provider/get", c.address(3).to_string().as_bytes(), 0, false).unwrap_err();
    assert_eq!((e.codespace(), e.code()), ("provider", 3));
    assert!(e.to_string().contains("is not a provider"), "{e}");
}

#[test]
fn attribute_keys_are_two_to_127_characters_of_letters_digits_and_underscore_slash_dot_dash() {
    let long = format!("a{}", "b".repeat(126));
    for ok in ["ab", "region", "capabilities/storage/1/class", "a_b.c-d", long.as_str()] {
        assert!(provider::is_valid_attribute_key(ok), "{ok}");
    }
    let too_long = format!("a{}", "b".repeat(127));
    for bad in ["", "a", "1a", "_a", "a b", "a*", "é1", too_long.as_str()] {
        assert!(!provider::is_valid_attribute_key(bad), "{bad}");
    }
}

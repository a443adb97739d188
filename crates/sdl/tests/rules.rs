//! Tricky rules, error quality, the golden manifest hash, and property tests.

use dcloud_sdl::{monthly_price, parse, ErrorKind, Sdl, SdlErrors};
use proptest::prelude::*;

/// A small valid SDL; `{svc}` etc. are replaced by the tests.
fn base(version: &str) -> String {
    format!(
        r#"version: "{version}"
services:
  web:
    image: nginx:1.27
    expose:
      - port: 80
        to:
          - global: true
profiles:
  compute:
    web:
      resources:
        cpu:
          units: 0.5
        memory:
          size: 512Mi
        storage:
          size: 1Gi
  placement:
    dc:
      pricing:
        web:
          denom: uakt
          amount: 1000
deployment:
  web:
    dc:
      profile: web
      count: 1
"#
    )
}

fn ok(yaml: &str) -> Sdl {
    parse(yaml).unwrap_or_else(|e| panic!("expected valid SDL, got:\n{e}\n---\n{yaml}"))
}

fn err(yaml: &str) -> SdlErrors {
    match parse(yaml) {
        Ok(_) => panic!("expected errors for:\n{yaml}"),
        Err(e) => e,
    }
}

fn assert_err(yaml: &str, needle: &str) -> SdlErrors {
    let e = err(yaml);
    assert!(e.to_string().contains(needle), "expected {needle:?} in:\n{e}");
    e
}

#[test]
fn golden_manifest_hash_matches_akash() {
    // The TS SDK's "Minesweeper" example (akash-sdl.md §9.1.1).
    let sdl = ok(r#"
version: "2.0"
services:
  minesweeper:
    image: creepto/minesweeper
    expose:
      - port: 3000
        as: 80
        to:
          - global: true
profiles:
  compute:
    minesweeper:
      resources:
        cpu:
          units: 0.1
        memory:
          size: 512Mi
        storage:
          size: 512Mi
  placement:
    akash:
      attributes:
        host: akash
      signedBy:
        anyOf:
          - "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63"
      pricing:
        minesweeper:
          denom: uakt
          amount: 10000
deployment:
  minesweeper:
    akash:
      profile: minesweeper
      count: 1
"#);
    let canonical = dcloud_sdl::hash::manifest_canonical_json(&sdl.manifest());
    assert_eq!(
        canonical,
        r#"[{"name":"akash","services":[{"args":null,"command":null,"count":1,"credentials":null,"env":null,"expose":[{"endpointSequenceNumber":0,"externalPort":80,"global":true,"hosts":null,"httpOptions":{"maxBodySize":1048576,"nextCases":["error","timeout"],"nextTimeout":0,"nextTries":3,"readTimeout":60000,"sendTimeout":60000},"ip":"","port":3000,"proto":"TCP","service":""}],"image":"creepto/minesweeper","name":"minesweeper","resources":{"cpu":{"units":{"val":"100"}},"endpoints":[{"sequence_number":0}],"gpu":{"units":{"val":"0"}},"id":1,"memory":{"size":{"val":"536870912"}},"storage":[{"name":"default","size":{"val":"536870912"}}]}}]}]"#
    );
    assert_eq!(
        hex::encode(sdl.manifest_hash()),
        "76857258cd925b92f12f93ebc8f488c637a17708764f7996d54ad02c2564f174"
    );
}

#[test]
fn misspelt_service_key_is_a_warning_with_suggestion_and_position() {
    let yaml =
        base("2.0").replace("    image: nginx:1.27\n", "    image: nginx:1.27\n    exposee: []\n");
    let sdl = ok(&yaml);
    let w = sdl.warnings().iter().find(|w| w.path == "services.web.exposee").expect("warning");
    assert_eq!(w.suggestion.as_deref(), Some("did you mean `expose`?"));
    assert_eq!(w.pos.map(|p| (p.line, p.column)), Some((5, 5)));
}

#[test]
fn misspelt_top_level_key_is_an_error_with_suggestion() {
    let yaml = base("2.0").replace("deployment:", "deploymnet:");
    let e = err(&yaml);
    let first =
        e.errors().iter().find(|x| x.kind == ErrorKind::UnknownField).expect("unknown field");
    assert_eq!(first.path, "deploymnet");
    assert_eq!(first.suggestion.as_deref(), Some("did you mean `deployment`?"));
    assert!(first.pos.is_some());
}

#[test]
fn several_errors_are_collected_one_per_line() {
    let yaml = base("2.0")
        .replace("      - port: 80\n", "      - port: 0\n        proto: sctp\n")
        .replace("amount: 1000", "amount: -5");
    let e = err(&yaml);
    let text = e.to_string();
    assert!(text.contains("services.web.expose[0].proto"), "{text}");
    assert!(text.contains("unsupported service protocol \"sctp\""), "{text}");
    assert!(text.contains("profiles.placement.dc.pricing.web.amount"), "{text}");
    assert!(text.contains("negative value not allowed"), "{text}");
    assert_eq!(text.lines().count(), e.errors().len());
    assert!(e.errors().len() >= 2);
}

#[test]
fn wrong_type_says_what_was_expected() {
    let yaml = base("2.0").replace("      - port: 80\n", "      - port: [80]\n");
    let e = assert_err(&yaml, "services.web.expose[0].port (line 6, column 15)");
    assert!(e.to_string().contains("expected a whole number"), "{e}");
}

#[test]
fn unknown_profile_reference_suggests_the_closest() {
    let yaml = base("2.0").replace("      profile: web", "      profile: wbe");
    let e = assert_err(&yaml, "SDL invalid: web.dc: no compute profile named wbe");
    assert_eq!(e.errors()[0].path, "deployment.web.dc.profile");
    assert_eq!(e.errors()[0].suggestion.as_deref(), Some("did you mean `web`?"));
}

#[test]
fn versions() {
    ok(&base("2.0").replace("version: \"2.0\"", "version: 2"));
    assert_eq!(
        ok(&base("2.0").replace("version: \"2.0\"", "version: 2.1")).version(),
        dcloud_sdl::SdlVersion::V2_1
    );
    assert_err(&base("2.0.1"), "unsupported version \"2.0.1\"");
    assert_err(&base("1.0"), "unsupported version");
}

fn two_services(version: &str, same_profile: bool) -> String {
    let api_profile = if same_profile { "web" } else { "api" };
    format!(
        r#"version: "{version}"
services:
  web:
    image: nginx
    expose:
      - port: 80
        to: [ {{ global: true }} ]
  api:
    image: api
    expose:
      - port: 8080
        to: [ {{ global: true }} ]
profiles:
  compute:
    web:
      resources: {{ cpu: {{ units: 1 }}, memory: {{ size: 1Gi }}, storage: {{ size: 1Gi }} }}
    api:
      resources: {{ cpu: {{ units: 2 }}, memory: {{ size: 1Gi }}, storage: {{ size: 1Gi }} }}
  placement:
    dc:
      pricing:
        web: {{ denom: uact, amount: 100 }}
        api: {{ denom: uact, amount: 0.5 }}
deployment:
  web: {{ dc: {{ profile: web, count: 2 }} }}
  api: {{ dc: {{ profile: {api_profile}, count: 3 }} }}
"#
    )
}

#[test]
fn v2_1_merges_units_sharing_a_profile_and_v2_0_does_not() {
    let g20 = ok(&two_services("2.0", true)).groups();
    assert_eq!(g20[0].resources.len(), 2);
    assert_eq!(g20[0].resources.iter().map(|r| r.resource.id).collect::<Vec<_>>(), vec![1, 2]);

    let sdl = ok(&two_services("2.1", true));
    let g21 = sdl.groups();
    assert_eq!(g21[0].resources.len(), 1);
    assert_eq!(g21[0].resources[0].count, 5);
    // RANDOM_PORT (api, 8080) then SHARED_HTTP (web, 80), both sequence 0, order kept.
    assert_eq!(g21[0].resources[0].resource.endpoints.len(), 2);
    let m = sdl.manifest();
    assert!(m.0[0].services.iter().all(|s| s.resources.id == 1));
}

#[test]
fn prices_per_block_and_month() {
    let sdl = ok(&two_services("2.0", false));
    // web: 100 × 2, api: 0.5 × 3
    let p = sdl.max_price_per_block().expect("price");
    assert_eq!(p.to_string(), "201.500000000000000000uact");
    let groups = sdl.group_prices_per_block();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].0, "dc");
    let month = monthly_price(&p, 6000).expect("month");
    assert_eq!(month.amount.to_string(), "87048000.000000000000000000");
}

#[test]
fn pricing_rules() {
    assert_err(
        &base("2.0").replace("amount: 1000", "amount: 0"),
        "invalid coin amount: amount is zero",
    );
    assert_err(&base("2.0").replace("amount: 1000", "amount: 10000001"), "invalid unit price");
    assert_err(
        &base("2.0").replace("amount: 1000", "amount: 0.0000000000000000001"),
        "too many decimal places",
    );
    ok(&base("2.0").replace("amount: 1000", "amount: 10000000"));
    let mixed = two_services("2.0", false).replace("api: { denom: uact", "api: { denom: uakt");
    assert_err(&mixed, "multi-denonimation group");
    assert_err(&base("2.0").replace("denom: uakt", "denom: u"), "invalid denom");
}

#[test]
fn inconsistent_denominations_across_groups() {
    let yaml = base("2.0")
        .replace(
            "  placement:\n",
            "  placement:\n    other:\n      pricing:\n        web: { denom: uact, amount: 5 }\n",
        )
        .replace("      count: 1\n", "      count: 1\n    other: { profile: web, count: 1 }\n");
    assert_err(&yaml, "inconsistent group denomination");
}

#[test]
fn http_options_rules() {
    let with = |opts: &str| {
        base("2.0").replace("        to:\n", &format!("        http_options:\n{opts}        to:\n"))
    };
    assert_err(
        &with("          max_body_size: 104857601\n"),
        "body size cannot be greater than 104857600",
    );
    assert_err(
        &with("          read_timeout: 60001\n"),
        "read timeout cannot be greater than 60000",
    );
    assert_err(&with("          next_cases: [off, error]\n"), "if 'off' is specified");
    let e = assert_err(&with("          next_cases: [eror]\n"), "next case is unknown: \"eror\"");
    assert_eq!(e.errors()[0].suggestion.as_deref(), Some("did you mean `error`?"));
    let sdl = ok(&with("          next_cases: [off]\n          proxy_buffer_size: 4096\n"));
    let h = &sdl.manifest().0[0].services[0].expose[0].http_options;
    assert_eq!(h.next_cases, vec!["off".to_string()]);
    assert_eq!(h.proxy_buffer_size, 4096);
    assert_eq!(h.max_body_size, 1_048_576);
}

#[test]
fn gpu_rules() {
    let with = |gpu: &str| {
        base("2.0").replace(
            "        storage:\n          size: 1Gi\n",
            &format!("        storage:\n          size: 1Gi\n        gpu:\n{gpu}"),
        )
    };
    assert_err(&with("          units: 1\n"), "sdl: GPU attributes must be present if units > 0");
    assert_err(
        &with("          units: 1\n          count: 2\n"),
        "sdl: unsupported field (count) for GPU resource",
    );
    assert_err(
        &with("          units: 1\n          attributes: {}\n"),
        "at least one vendor must be set",
    );
    assert_err(
        &with("          units: 1\n          attributes:\n            vendor:\n              nvidia:\n                - model: a100\n                  interface: nvlink\n"),
        "sdl: invalid GPU interface nvlink. expected \"pcie|sxm\"",
    );
    assert_err(
        &with("          units: 0\n          attributes:\n            vendor:\n              nvidia:\n"),
        "attributes cannot be present if units == 0",
    );
    let sdl = ok(&with(
        "          units: 2\n          attributes:\n            vendor:\n              nvidia:\n                - model: h100\n                - model: a100\n                  ram: 80Gi\n                  interface: sxm\n",
    ));
    let keys: Vec<String> = sdl.groups()[0].resources[0]
        .resource
        .gpu
        .attributes
        .iter()
        .map(|a| a.key.clone())
        .collect();
    assert_eq!(
        keys,
        vec!["vendor/nvidia/model/a100/ram/80Gi/interface/sxm", "vendor/nvidia/model/h100"]
    );
    let sdl = ok(&with(
        "          units: 1\n          attributes:\n            vendor:\n              nvidia:\n",
    ));
    assert_eq!(
        sdl.groups()[0].resources[0].resource.gpu.attributes[0].key,
        "vendor/nvidia/model/*"
    );
}

fn with_volumes(version: &str, volumes: &str, params: &str) -> String {
    base(version)
        .replace("        storage:\n          size: 1Gi\n", &format!("        storage:\n{volumes}"))
        .replace(
            "    image: nginx:1.27\n",
            &format!("    image: nginx:1.27\n    params:\n      storage:\n{params}"),
        )
}

#[test]
fn storage_rules() {
    let ram = "          - size: 1Gi\n          - name: shm\n            size: 1Gi\n            attributes: { class: ram }\n";
    let ro = "        shm: { mount: /dev/shm, readOnly: true }\n";
    ok(&with_volumes("2.0", ram, ro));
    assert_err(&with_volumes("2.1", ram, ro), "not allowed for storage class \"ram\"");
    let dup = "          - size: 1Gi\n          - size: 2Gi\n";
    assert_err(
        &with_volumes("2.0", dup, "        default: { mount: /a }\n"),
        "sdl: duplicated volume name",
    );
    let eph = "          - size: 1Gi\n          - name: data\n            size: 1Gi\n            attributes: { class: beta2 }\n";
    assert_err(
        &with_volumes("2.0", eph, "        data: { mount: /d }\n"),
        "ephemeral storage should not set attribute class",
    );
    let bad = "          - size: 1Gi\n          - name: data\n            size: 1Gi\n            attributes: { persistent: true, speed: fast }\n";
    let e = assert_err(
        &with_volumes("2.0", bad, "        data: { mount: /d }\n"),
        "sdl: unsupported storage attribute: speed",
    );
    assert_eq!(e.errors()[0].path, "profiles.compute.web.resources.storage[1].attributes.speed");
    // persistent without class gets class "default"; volumes sorted; params sorted by name
    let p = "          - name: zdata\n            size: 10Gi\n            attributes: { persistent: yes }\n          - size: 1Gi\n";
    let sdl = ok(&with_volumes("2.0", p, "        zdata: { mount: /z }\n"));
    let st = &sdl.groups()[0].resources[0].resource.storage;
    assert_eq!(st[0].name, "default");
    assert_eq!(st[1].name, "zdata");
    assert_eq!(
        st[1].attributes.iter().map(|a| (a.key.as_str(), a.value.as_str())).collect::<Vec<_>>(),
        vec![("class", "default"), ("persistent", "true")]
    );
}

#[test]
fn ip_endpoint_rules() {
    let yaml = r#"version: "2.0"
services:
  a:
    image: x
    expose:
      - port: 80
        as: 8080
        to: [ { global: true, ip: myip } ]
  b:
    image: y
    expose:
      - port: 81
        as: 8080
        to: [ { global: true, ip: myip } ]
profiles:
  compute:
    c: { resources: { cpu: { units: 1 }, memory: { size: 1Gi }, storage: { size: 1Gi } } }
  placement:
    dc: { pricing: { c: { denom: uakt, amount: 1 } } }
deployment:
  a: { dc: { profile: c, count: 1 } }
  b: { dc: { profile: c, count: 1 } }
endpoints:
  myip: { kind: ip }
"#;
    assert_err(yaml, "IP endpoint \"myip\" port: 81 protocol: TCP specified by service \"b\" already in use by \"a\"");
    let typo = yaml.replace(
        "as: 8080\n        to: [ { global: true, ip: myip } ]\n  b:",
        "as: 8080\n        to: [ { global: true, ip: myipp } ]\n  b:",
    );
    let e = assert_err(&typo, "no endpoint named \"myipp\" exists");
    assert!(e.errors().iter().any(|x| x.suggestion.as_deref() == Some("did you mean `myip`?")));
    let kind = yaml.replace("kind: ip", "kind: vip").replace(
        "as: 8080\n        to: [ { global: true, ip: myip } ]\n  b:",
        "as: 8081\n        to: [ { global: true, ip: myip } ]\n  b:",
    );
    assert_err(&kind, "unknown kind \"vip\"");
}

#[test]
fn tee_rules() {
    let tee = |t: &str| {
        base("2.1").replace(
            "    image: nginx:1.27\n",
            &format!("    image: nginx:1.27\n    params:\n      tee: {t}\n"),
        )
    };
    assert_err(&tee("sgx"), "sdl: unsupported tee type: \"sgx\" (allowed: cpu, cpu-gpu)");
    let sdl = ok(&tee("{ type: cpu, attestation: false }"));
    let p = sdl.manifest().0[0].services[0].params.clone().expect("params");
    assert_eq!(p.tee.map(|t| (t.tee_type, t.attestation)), Some(("cpu".to_string(), false)));
    let attrs = sdl.groups()[0].requirements.attributes.clone().expect("attrs");
    assert_eq!(attrs[0].key, "tee/type");

    let conflict = two_services("2.1", false)
        .replace("    image: nginx\n", "    image: nginx\n    params: { tee: cpu }\n")
        .replace("    image: api\n", "    image: api\n    params: { tee: cpu-gpu }\n")
        .replace("api:\n      resources: { cpu: { units: 2 }, memory: { size: 1Gi }, storage: { size: 1Gi } }", "api:\n      resources: { cpu: { units: 2 }, memory: { size: 1Gi }, storage: { size: 1Gi }, gpu: { units: 1, attributes: { vendor: { nvidia: [ { model: a100 } ] } } } }");
    assert_err(&conflict, "conflicting tee types in the same placement group");
}

#[test]
fn accept_hosts_are_checked_and_unique() {
    let with = |hosts: &str| {
        base("2.0").replace("        to:\n", &format!("        accept: {hosts}\n        to:\n"))
    };
    assert_err(&with("['*.example.com']"), "has invalid hostname \"*.example.com\"");
    assert_err(&with("[a.example.com, a.example.com]"), "hostname \"a.example.com\" is duplicated");
    let sdl = ok(&with("[www.example.com]"));
    assert_eq!(
        sdl.manifest().0[0].services[0].expose[0].hosts,
        Some(vec!["www.example.com".to_string()])
    );
}

#[test]
fn signed_by_numbers_become_strings_and_attributes_sort() {
    let yaml = base("2.0").replace(
        "    dc:\n      pricing:",
        "    dc:\n      attributes: { zone: b, region: us }\n      signedBy: { anyOf: [1, 2], allOf: [3] }\n      pricing:",
    );
    let g = &ok(&yaml).groups()[0];
    assert_eq!(g.requirements.signed_by.any_of, Some(vec!["1".to_string(), "2".to_string()]));
    let keys: Vec<&str> =
        g.requirements.attributes.iter().flatten().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, vec!["region", "zone"]);
}

#[test]
fn yaml_anchors_and_syntax_errors() {
    let yaml = base("2.0").replace("    web:\n      resources:", "    web: &w\n      resources:");
    ok(&yaml);
    let e = err("version: \"2.0\"\nservices: [unclosed\n");
    assert_eq!(e.errors()[0].kind, ErrorKind::Syntax);
    assert!(e.errors()[0].pos.is_some());
    let e = err("version: \"2.0\"\nversion: \"2.1\"\n");
    assert!(e.to_string().contains("already defined at line 1"), "{e}");
}

#[test]
fn limits() {
    assert_err(&base("2.0").replace("units: 0.5", "units: 5m"), "invalid unit CPU");
    assert_err(&base("2.0").replace("size: 512Mi", "size: 512Ki"), "invalid unit memory");
    assert_err(&base("2.0").replace("size: 1Gi", "size: 1Mi"), "invalid unit storage");
    assert_err(&base("2.0").replace("count: 1", "count: 100000"), "invalid total CPU");
}

#[test]
fn reclamation_window_is_exposed() {
    let sdl = ok(&format!("{}reclamation:\n  min_window: 1h30m\n", base("2.1")));
    assert_eq!(sdl.reclamation_min_window_secs(), Some(5400));
    assert_err(
        &format!("{}reclamation:\n  min_window: 10\n", base("2.1")),
        "missing unit in duration",
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Generated SDLs parse; the group price is unit price × count; the hash is stable
    /// and the outputs survive a JSON roundtrip.
    #[test]
    fn generated_sdls_roundtrip(
        millis in 10u32..384_000,
        mem_mi in 1u64..4096,
        count in 1u32..50,
        price_int in 1u64..10_000_000,
        price_frac in 0u32..1000,
        port in 1u32..65536,
        v21 in any::<bool>(),
    ) {
        let price = if price_int == 10_000_000 { "10000000".to_string() } else { format!("{price_int}.{price_frac:03}") };
        let yaml = base(if v21 { "2.1" } else { "2.0" })
            .replace("units: 0.5", &format!("units: {millis}m"))
            .replace("size: 512Mi", &format!("size: {mem_mi}Mi"))
            .replace("count: 1", &format!("count: {count}"))
            .replace("amount: 1000", &format!("amount: {price}"))
            .replace("- port: 80", &format!("- port: {port}"));
        let sdl = parse(&yaml).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let g = &sdl.groups()[0];
        prop_assert_eq!(g.resources[0].resource.cpu.units.0, u64::from(millis));
        prop_assert_eq!(g.resources[0].resource.memory.quantity.0, mem_mi << 20);
        let unit: dcloud_sdl::DecAmount = price.parse().map_err(|e: dcloud_sdl::amount::AmountError| TestCaseError::fail(e.to_string()))?;
        let total = unit.checked_mul_int(u128::from(count)).ok_or_else(|| TestCaseError::fail("overflow"))?;
        prop_assert_eq!(sdl.max_price_per_block().map(|p| p.amount), Some(total));
        let again = parse(&yaml).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(sdl.manifest_hash(), again.manifest_hash());
        let json = serde_json::to_string(&sdl.manifest()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: dcloud_sdl::Manifest = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.version(), sdl.manifest_hash());
    }

    /// Arbitrary text never panics the parser.
    #[test]
    fn parser_never_panics(s in "\\PC{0,200}") {
        let _ = parse(&s);
    }

    /// Mutating one character of a valid SDL never panics and errors carry a place.
    #[test]
    fn mutations_give_placed_errors(idx in 0usize..600, c in prop::sample::select(vec![' ', ':', '-', '[', '"', 'x', '0', '\n'])) {
        let mut text: Vec<char> = base("2.0").chars().collect();
        let i = idx % text.len();
        text[i] = c;
        let s: String = text.into_iter().collect();
        if let Err(e) = parse(&s) {
            for x in e.errors() {
                prop_assert!(x.pos.is_some() || !x.path.is_empty(), "{}", x);
            }
        }
    }
}

#[test]
fn error_text_snapshot() {
    let yaml = base("2.0")
        .replace("      - port: 80\n", "      - port: 70000\n")
        .replace("          size: 512Mi\n", "          size: 512MB\n")
        .replace("      profile: web\n", "      profile: web\n      count: 1\n      cuont: 2\n");
    let e = err(&yaml);
    assert_eq!(
        e.to_string(),
        "line 31, column 7: mapping key \"count\" already defined at line 29"
    );
    let yaml = base("2.0")
        .replace("      - port: 80\n", "      - port: 70000\n")
        .replace("          size: 512Mi\n", "          size: 512XB\n");
    assert_eq!(
        err(&yaml).to_string(),
        "profiles.compute.web.resources.memory.size (line 16, column 17): invalid size \"512XB\"; \
         expected a size such as 512Mi, 1Gi or 1.5G (suffixes k M G T P E, Ki Mi Gi Ti Pi Ei)"
    );
    let yaml = base("2.0").replace("      - port: 80\n", "      - port: 70000\n");
    assert_eq!(
        err(&yaml).to_string(),
        "services.web.expose[0].port (line 6, column 15): invalid manifest: service \"web\": \
         port value must be 0 < value <= 65535; expected a port from 1 to 65535"
    );
}

/// Sizes as public templates write them (`512MB`, `16gi`, `1ti`) are accepted with the values
/// Akash's Console gives them, each with a warning that says the canonical spelling.
#[test]
fn console_style_sizes_are_accepted_with_a_warning() {
    for (written, canonical, bytes) in [
        ("512MB", "512M", 512_000_000u64),
        ("2gi", "2Gi", 2 << 30),
        ("1ti", "1Ti", 1 << 40),
        ("512mi", "512Mi", 512 << 20),
        ("15Gb", "15G", 15_000_000_000),
    ] {
        let yaml =
            base("2.0").replace("          size: 512Mi\n", &format!("          size: {written}\n"));
        let sdl = dcloud_sdl::parse(&yaml).unwrap_or_else(|e| panic!("{written}: {e}"));
        let w = sdl
            .warnings()
            .iter()
            .find(|w| w.path == "profiles.compute.web.resources.memory.size")
            .unwrap_or_else(|| panic!("{written}: no warning"));
        assert_eq!(w.message, format!("size {written:?} read as {canonical} ({bytes} bytes)"));
        assert!(w.suggestion.as_deref().unwrap_or("").starts_with(&format!("write {canonical} ")));
        let canonical_yaml = base("2.0")
            .replace("          size: 512Mi\n", &format!("          size: {canonical}\n"));
        let canon = dcloud_sdl::parse(&canonical_yaml).expect("canonical parses");
        assert!(canon.warnings().iter().all(|w| !w.path.ends_with("memory.size")));
        assert_eq!(
            sdl.manifest_hash(),
            canon.manifest_hash(),
            "{written} and {canonical} give the same manifest"
        );
    }
    let yaml = base("2.0").replace("          size: 512Mi\n", "          size: 1GiB\n");
    assert!(err(&yaml).to_string().contains("ambiguous size \"1GiB\": write 1Gi"));
}

//! Every fixture in `shared/testdata/sdl` is a test (see the README there).
//!
//! The fixtures live outside the repository, next to it: `../shared/testdata/sdl`
//! relative to the repository root. `DCLOUD_TESTDATA` overrides the location (either
//! the `testdata` folder or its `sdl` subfolder). A missing folder fails the tests.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn testdata() -> PathBuf {
    let dir = match std::env::var_os("DCLOUD_TESTDATA") {
        Some(p) => {
            let p = PathBuf::from(p);
            if p.join("sdl").is_dir() {
                p.join("sdl")
            } else {
                p
            }
        }
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/sdl"),
    };
    assert!(
        dir.join("README.md").is_file(),
        "SDL fixtures not found at {} — check out `shared/` next to the repository \
         (…/shared/testdata/sdl) or set DCLOUD_TESTDATA",
        dir.display()
    );
    dir
}

fn read(rel: &str) -> String {
    let p = testdata().join(rel);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

fn accept(rel: &str) -> dcloud_sdl::Sdl {
    dcloud_sdl::parse(&read(rel)).unwrap_or_else(|e| panic!("{rel} should be accepted, got:\n{e}"))
}

fn reject(rel: &str, needle: &str) -> dcloud_sdl::SdlErrors {
    match dcloud_sdl::parse(&read(rel)) {
        Ok(_) => panic!("{rel} should be rejected with {needle:?}"),
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains(needle),
                "{rel}: expected an error containing {needle:?}, got:\n{text}"
            );
            for err in e.errors() {
                assert!(
                    err.pos.is_some() || !err.path.is_empty(),
                    "{rel}: error without place: {err}"
                );
            }
            e
        }
    }
}

/// (file, None = accept | Some(substring of the expected error))
const TOP_LEVEL: &[(&str, Option<&str>)] = &[
    ("simple.yaml", None),
    ("simple2.yaml", None),
    ("simple3.yaml", None),
    ("simple4.yaml", None),
    ("simple-gpu.yaml", None),
    ("simple-double-ram.yaml", None),
    ("simple-with-ip.yaml", None),
    ("simple-reclamation.yaml", None),
    (
        "simple-reclamation-invalid.yaml",
        Some("SDL invalid: invalid reclamation min_window \"abc\""),
    ),
    ("simple-reclamation-zero.yaml", Some("SDL invalid: reclamation min_window must be > 0")),
    ("private_service.yaml", None),
    ("profile-svc-name-mismatch.yaml", None),
    ("deployment-svc-mismatch.yaml", Some("no service profile named")),
    ("service-mix.yaml", None),
    ("service-mix2.yaml", None),
    ("storageClass1.yaml", Some("expected absolute path")),
    ("storageClass2.yaml", Some("expected absolute path")),
    ("storageClass3.yaml", Some("references to no-existing compute volume")),
    ("storageClass4.yaml", Some("already in use by volume")),
    ("storageClass5.yaml", Some("to have mount")),
    ("storageClass6.yaml", None),
    ("v2.1-simple.yaml", None),
    ("v2.1-simple2.yaml", None),
    ("v2.1-simple3.yaml", None),
    ("v2.1-simple4.yaml", None),
    ("v2.1-simple-gpu.yaml", None),
    ("v2.1-simple-with-ip.yaml", None),
    ("v2.1-simple-reclamation.yaml", None),
    ("v2.1-reclamation-invalid.yaml", Some("SDL invalid: invalid reclamation min_window")),
    ("v2.1-reclamation-zero.yaml", Some("SDL invalid: reclamation min_window must be > 0")),
    ("v2.1-private_service.yaml", None),
    ("v2.1-profile-svc-name-mismatch.yaml", None),
    ("v2.1-deployment-svc-mismatch.yaml", Some("no service profile named")),
    ("v2.1-service-mix.yaml", None),
    ("v2.1-service-mix2.yaml", None),
    ("v2.1-credentials.yaml", None),
    ("v2.1-credentials-error.yaml", Some("service Credentials missing Host")),
    ("v2.1-tee-cpu.yaml", None),
    ("v2.1-tee-cpu-gpu.yaml", None),
];

const INVALID: &[(&str, &str)] = &[
    ("count-zero.yaml", "invalid total CPU"),
    ("credentials-missing-host.yaml", "service Credentials missing Host"),
    ("empty-image.yaml", "has empty image name"),
    ("endpoint-not-used.yaml", "declared but never used"),
    ("invalid-endpoint-name.yaml", "is not a valid name"),
    ("invalid-port.yaml", "port value must be 0 < value <= 65535"),
    ("port-too-high.yaml", "port value must be 0 < value <= 65535"),
    ("port-zero.yaml", "port value must be 0 < value <= 65535"),
    ("invalid-protocol.yaml", "unsupported service protocol"),
    ("ip-without-global.yaml", "if an IP is declared the directive must be declared as global"),
    ("missing-deployment.yaml", "no deployment groups"),
    ("missing-image.yaml", "has empty image name"),
    ("missing-memory-size.yaml", "missing field `size`"),
    ("missing-pricing.yaml", "no pricing for profile"),
    ("missing-version.yaml", "SDL invalid: no version found"),
    ("negative-cpu.yaml", "negative value not allowed"),
    ("persistent-without-mount.yaml", "to have mount"),
    ("ram-persistent-true.yaml", "sdl: ram storage class cannot be persistent"),
    ("unknown-field.yaml", "sdl: unexpected field unknown_field"),
    ("v2.1-reclamation-bad-window.yaml", "reclamation min_window must be > 0"),
    ("v2.1-tee-cpu-gpu-no-gpu.yaml", "tee type requires gpu resources"),
];

/// Our policy for inputs only the JSON schema rejects: Ok(warning substring) = accept
/// with a warning; Err(error substring) = reject.
const SCHEMA_ONLY: &[(&str, Result<&str, &str>)] = &[
    ("email-too-short.yaml", Ok("e-mail is shorter than 5")),
    ("password-too-short.yaml", Ok("password is shorter than 6")),
    ("invalid-denom.yaml", Ok("is not uakt or uact")),
    ("invalid-gpu-vendor.yaml", Err("unsupported GPU vendor \"amd\"")),
    ("invalid-version.yaml", Err("unsupported version \"3.0\"")),
    ("reclamation-compound-window.yaml", Ok("only allows one unit")),
];

fn yaml_files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") && n != "sdl-input.schema.yaml")
        .collect()
}

#[test]
fn every_fixture_is_listed() {
    let dir = testdata();
    let listed: BTreeSet<String> = TOP_LEVEL.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(yaml_files(&dir), listed, "top-level fixtures changed: update TOP_LEVEL");
    let listed: BTreeSet<String> = INVALID.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(yaml_files(&dir.join("conformance/input/invalid")), listed);
    let listed: BTreeSet<String> = SCHEMA_ONLY.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(yaml_files(&dir.join("conformance/input/schema-only-invalid")), listed);
}

#[test]
fn top_level_fixtures() {
    for (file, verdict) in TOP_LEVEL {
        match verdict {
            None => {
                let sdl = accept(file);
                assert!(!sdl.groups().is_empty(), "{file}: no groups");
                assert_eq!(sdl.manifest_hash().len(), 32);
            }
            Some(needle) => {
                reject(file, needle);
            }
        }
    }
}

#[test]
fn legacy_fixtures_are_accepted() {
    let files = yaml_files(&testdata().join("legacy"));
    assert_eq!(files.len(), 22, "legacy fixtures changed");
    for f in files {
        let sdl = accept(&format!("legacy/{f}"));
        assert_eq!(sdl.manifest_hash().len(), 32);
    }
}

#[test]
fn invalid_conformance_inputs_are_rejected() {
    for (file, needle) in INVALID {
        reject(&format!("conformance/input/invalid/{file}"), needle);
    }
}

#[test]
fn schema_only_inputs_follow_our_policy() {
    for (file, policy) in SCHEMA_ONLY {
        let rel = format!("conformance/input/schema-only-invalid/{file}");
        match policy {
            Ok(warning) => {
                let sdl = accept(&rel);
                assert!(
                    sdl.warnings().iter().any(|w| w.to_string().contains(warning)),
                    "{rel}: expected a warning containing {warning:?}, got {:?}",
                    sdl.warnings()
                );
            }
            Err(needle) => {
                reject(&rel, needle);
            }
        }
    }
}

fn conformance_cases() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ver in ["v2.0", "v2.1"] {
        let dir = testdata().join("conformance/input").join(ver);
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|n| (ver.to_string(), n)));
    }
    out
}

fn json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn conformance_outputs_match() {
    let cases = conformance_cases();
    assert_eq!(cases.len(), 15, "conformance cases changed");
    let mut failures = Vec::new();
    for (ver, name) in &cases {
        let sdl = accept(&format!("conformance/input/{ver}/{name}/input.yaml"));
        let out = format!("conformance/output-fixtures/{ver}/{name}");
        let groups = serde_json::to_value(sdl.groups()).expect("groups serialise");
        let want_groups = json(&format!("{out}/group-specs.json"));
        if groups != want_groups {
            failures.push(format!(
                "{ver}/{name} group specs differ\n got: {groups}\nwant: {want_groups}"
            ));
        }
        let manifest = serde_json::to_value(sdl.manifest()).expect("manifest serialises");
        let want_manifest = json(&format!("{out}/manifest.json"));
        if manifest != want_manifest {
            failures.push(format!(
                "{ver}/{name} manifest differs\n got: {manifest}\nwant: {want_manifest}"
            ));
        }
        // The hash over the expected JSON equals ours.
        let want_hash = {
            use sha2::Digest;
            let bytes = dcloud_sdl::hash::canonical_json(&want_manifest);
            <[u8; 32]>::from(sha2::Sha256::digest(bytes.as_bytes()))
        };
        if sdl.manifest_hash() != want_hash {
            failures.push(format!("{ver}/{name}: manifest hash differs"));
        }
        // Outputs deserialise back into our types unchanged.
        let back: Vec<dcloud_sdl::GroupSpec> =
            serde_json::from_value(want_groups).expect("expected groups deserialise");
        assert_eq!(back, sdl.groups(), "{ver}/{name}: group specs roundtrip");
        let back: dcloud_sdl::Manifest =
            serde_json::from_value(want_manifest).expect("expected manifest deserialises");
        assert_eq!(back, sdl.manifest(), "{ver}/{name}: manifest roundtrip");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

use std::fs;

use super::*;

const ABANDON_ABOUT: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ABANDON_ART: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";
const PW: &str = "correct horse battery staple";

fn test_keyring(dir: &Path) -> Keyring {
    Keyring::open_with_kdf(dir, KeyringBackend::Test, KdfParams::INSECURE_FAST).unwrap()
}

fn file_keyring(dir: &Path, passphrase: &str) -> Keyring {
    let backend = KeyringBackend::File { passphrase: passphrase.into() };
    Keyring::open_with_kdf(dir, backend, KdfParams::INSECURE_FAST).unwrap()
}

fn assert_corrupt(err: CryptoError, file: &Path) {
    match err {
        CryptoError::CorruptKeyring { path, .. } => assert_eq!(path, file),
        other => panic!("expected CorruptKeyring for {}, got {other:?}", file.display()),
    }
}

#[test]
fn test_backend_add_list_get_sign_delete() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("home/keyring-test");
    let kr = test_keyring(&dir);
    assert!(dir.is_dir());
    assert!(kr.list().unwrap().is_empty());

    let (bob, bob_mnemonic) = kr.add("bob", None).unwrap();
    assert_eq!(bob_mnemonic.split(' ').count(), 24);
    let (alice, m) =
        kr.add("alice", Some(&format!("  {}  ", ABANDON_ABOUT.to_uppercase()))).unwrap();
    assert_eq!(m, ABANDON_ABOUT);
    assert_eq!(alice.address.to_string(), "akash19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0");
    assert_eq!(alice.key_type, "secp256k1");
    let expected = SigningKey::from_mnemonic(ABANDON_ABOUT, "", 0, 0).unwrap();
    assert_eq!(alice.public_key().unwrap(), expected.public_key());
    let bob_key = SigningKey::from_mnemonic(&bob_mnemonic, "", 0, 0).unwrap();
    assert_eq!(bob.public_key().unwrap(), bob_key.public_key());

    let names: Vec<_> = kr.list().unwrap().into_iter().map(|k| k.name).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(kr.get("alice").unwrap(), alice);
    assert_eq!(kr.get(&alice.address.to_string()).unwrap(), alice);
    assert!(matches!(kr.get("carol"), Err(CryptoError::KeyNotFound(n)) if n == "carol"));
    let unknown_addr = AccAddress::from_bytes(&[9u8; 20]).unwrap().to_string();
    assert!(matches!(kr.get(&unknown_addr), Err(CryptoError::KeyNotFound(_))));

    let sk = kr.signing_key("alice").unwrap();
    assert_eq!(sk.to_bytes(), expected.to_bytes());
    let sig = sk.sign(b"hello");
    alice.public_key().unwrap().verify(b"hello", &sig).unwrap();

    kr.delete("alice").unwrap();
    assert!(matches!(kr.get("alice"), Err(CryptoError::KeyNotFound(_))));
    assert!(matches!(kr.delete("alice"), Err(CryptoError::KeyNotFound(_))));
    assert!(matches!(kr.signing_key("alice"), Err(CryptoError::KeyNotFound(_))));
    assert_eq!(kr.list().unwrap().len(), 1);

    // The key can be added again after deletion; nothing but key files is left behind.
    kr.add("alice", Some(ABANDON_ABOUT)).unwrap();
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["alice.info", "bob.info"]);
}

#[test]
fn test_backend_stores_plain_secret_without_mnemonic() {
    let tmp = tempfile::tempdir().unwrap();
    let kr = test_keyring(tmp.path());
    kr.add("alice", Some(ABANDON_ABOUT)).unwrap();
    let text = fs::read_to_string(tmp.path().join("alice.info")).unwrap();
    let secret = SigningKey::from_mnemonic(ABANDON_ABOUT, "", 0, 0).unwrap().to_bytes();
    assert!(text.contains(&hex::encode(secret)));
    assert!(!text.contains("abandon"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["secret"]["scheme"], "plain");
    assert_eq!(v["version"], 1);
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keyring-file");
    let kr = file_keyring(&dir, PW);
    kr.add("alice", None).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("alice.info")), 0o600);
}

#[test]
fn duplicate_name_and_duplicate_address() {
    let tmp = tempfile::tempdir().unwrap();
    let kr = test_keyring(tmp.path());
    kr.add("alice", Some(ABANDON_ABOUT)).unwrap();
    assert!(matches!(kr.add("alice", None), Err(CryptoError::KeyExists(n)) if n == "alice"));
    assert!(matches!(
        kr.add("alice2", Some(ABANDON_ABOUT)),
        Err(CryptoError::AddressExists { name, .. }) if name == "alice"
    ));
    assert_eq!(kr.list().unwrap().len(), 1);
}

#[test]
fn key_names_are_validated() {
    let tmp = tempfile::tempdir().unwrap();
    let kr = test_keyring(tmp.path());
    let long = "a".repeat(MAX_NAME_LEN + 1);
    for bad in ["", "a/b", "../x", "..\\x", "with space", "ünï", "a\0b", long.as_str()] {
        assert!(
            matches!(kr.add(bad, None), Err(CryptoError::InvalidKeyName(_))),
            "{bad:?} accepted"
        );
        assert!(matches!(kr.signing_key(bad), Err(CryptoError::InvalidKeyName(_))));
    }
    for good in ["a", "A.b_c-9", "..", &"z".repeat(MAX_NAME_LEN)] {
        kr.add(good, None).unwrap();
        kr.get(good).unwrap();
    }
    assert_eq!(kr.list().unwrap().len(), 4);
}

#[test]
fn invalid_mnemonic_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let kr = test_keyring(tmp.path());
    // Last word changed: all words valid, checksum wrong.
    let bad = ABANDON_ABOUT.replace("about", "abandon");
    assert!(matches!(kr.add("alice", Some(&bad)), Err(CryptoError::InvalidMnemonic)));
    assert!(kr.list().unwrap().is_empty());
}

#[test]
fn file_backend_encrypts_and_checks_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let kr = file_keyring(tmp.path(), PW);
    let (alice, _) = kr.add("alice", Some(ABANDON_ABOUT)).unwrap();
    let text = fs::read_to_string(tmp.path().join("alice.info")).unwrap();
    let secret = SigningKey::from_mnemonic(ABANDON_ABOUT, "", 0, 0).unwrap().to_bytes();
    assert!(!text.contains(&hex::encode(secret)));
    assert!(!text.contains("abandon"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["secret"]["scheme"], "argon2id-xchacha20poly1305");
    assert_eq!(v["secret"]["m_cost_kib"], KdfParams::INSECURE_FAST.m_cost_kib);
    assert_eq!(kr.signing_key("alice").unwrap().to_bytes(), secret);

    let wrong = file_keyring(tmp.path(), "not the passphrase");
    // Public data needs no passphrase.
    assert_eq!(wrong.list().unwrap(), vec![alice.clone()]);
    assert_eq!(wrong.get("alice").unwrap(), alice);
    assert!(matches!(wrong.signing_key("alice"), Err(CryptoError::WrongPassphrase)));
    assert!(matches!(wrong.export("alice", "x"), Err(CryptoError::WrongPassphrase)));
    assert!(matches!(wrong.delete("alice"), Err(CryptoError::WrongPassphrase)));
    // One passphrase per keyring: adding with another one is refused.
    assert!(matches!(wrong.add("bob", None), Err(CryptoError::WrongPassphrase)));
    assert_eq!(kr.list().unwrap().len(), 1);
    kr.add("bob", None).unwrap();
    kr.delete("alice").unwrap();
    assert_eq!(kr.list().unwrap().len(), 1);

    assert!(matches!(
        Keyring::open(tmp.path(), KeyringBackend::File { passphrase: String::new() }),
        Err(CryptoError::EmptyPassphrase)
    ));
}

#[test]
fn default_kdf_params_are_used_and_work() {
    let tmp = tempfile::tempdir().unwrap();
    let kr = Keyring::open(tmp.path(), KeyringBackend::File { passphrase: PW.into() }).unwrap();
    assert_eq!(kr.kdf, KdfParams { m_cost_kib: 19_456, t_cost: 2, p_cost: 1 });
    kr.add("alice", Some(ABANDON_ABOUT)).unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(tmp.path().join("alice.info")).unwrap()).unwrap();
    assert_eq!(v["secret"]["m_cost_kib"], 19_456);
    assert_eq!(v["secret"]["t_cost"], 2);
    // Secrets written with other parameters stay readable: they are stored per file.
    let fast = file_keyring(tmp.path(), PW);
    fast.signing_key("alice").unwrap();
}

#[test]
fn backend_mismatch_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    test_keyring(tmp.path()).add("alice", None).unwrap();
    let err = file_keyring(tmp.path(), PW).signing_key("alice").unwrap_err();
    assert!(
        matches!(err, CryptoError::WrongBackend { ref found, .. } if found == "test"),
        "{err:?}"
    );
    let tmp = tempfile::tempdir().unwrap();
    file_keyring(tmp.path(), PW).add("alice", None).unwrap();
    let err = test_keyring(tmp.path()).signing_key("alice").unwrap_err();
    assert!(
        matches!(err, CryptoError::WrongBackend { ref found, .. } if found == "file"),
        "{err:?}"
    );
}

#[test]
fn corrupted_files_are_errors_naming_the_file() {
    for backend in ["test", "file"] {
        let tmp = tempfile::tempdir().unwrap();
        let kr =
            if backend == "test" { test_keyring(tmp.path()) } else { file_keyring(tmp.path(), PW) };
        kr.add("alice", Some(ABANDON_ABOUT)).unwrap();
        let path = tmp.path().join("alice.info");
        let good = fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&good).unwrap();

        let mut damaged: Vec<String> = vec![
            good[..good.len() / 2].to_string(),
            String::new(),
            "\u{0}\u{1}garbage\u{7f}".to_string(),
            "[]".to_string(),
            good.replace("\"alice\"", "\"mallory\""),
            good.replace("secp256k1", "ed25519"),
            good.replace("\"version\": 1", "\"version\": 9"),
        ];
        let other = SigningKey::from_mnemonic(ABANDON_ART, "", 0, 0).unwrap().public_key();
        let mut w = v.clone();
        w["pubkey"] = other.to_base64().into();
        damaged.push(w.to_string());
        let mut w = v.clone();
        w["address"] = other.address().to_string().into();
        damaged.push(w.to_string());
        let mut w = v.clone();
        w["pubkey"] = "AAAA".into();
        damaged.push(w.to_string());
        // Both public fields swapped consistently: the secret no longer matches them.
        let mut w = v.clone();
        w["pubkey"] = other.to_base64().into();
        w["address"] = other.address().to_string().into();
        damaged.push(w.to_string());
        if backend == "test" {
            let mut w = v.clone();
            w["secret"]["privkey"] = "zz".into();
            damaged.push(w.to_string());
        } else {
            let mut w = v.clone();
            let ct = w["secret"]["ciphertext"].as_str().unwrap().to_string();
            let first = if ct.starts_with('A') { "B" } else { "A" };
            let flipped = format!("{first}{}", &ct[1..]);
            w["secret"]["ciphertext"] = flipped.into();
            damaged.push(w.to_string());
            let mut w = v.clone();
            w["secret"]["nonce"] = "short".into();
            damaged.push(w.to_string());
            let mut w = v.clone();
            w["secret"]["m_cost_kib"] = u32::MAX.into();
            damaged.push(w.to_string());
        }
        for (i, text) in damaged.iter().enumerate() {
            fs::write(&path, text).unwrap();
            let err = kr.signing_key("alice").unwrap_err();
            match &err {
                CryptoError::CorruptKeyring { path: p, .. } => assert_eq!(p, &path),
                other => panic!("{backend} case {i}: expected CorruptKeyring, got {other:?}"),
            }
            assert!(err.to_string().contains("alice.info"), "{err}");
        }
        // list and get fail loudly too, naming the file.
        fs::write(&path, &good[..10]).unwrap();
        assert_corrupt(kr.list().unwrap_err(), &path);
        assert_corrupt(kr.get("alice").unwrap_err(), &path);
        // A huge file is refused without reading it all.
        fs::write(&path, vec![b' '; 1 << 20]).unwrap();
        assert_corrupt(kr.signing_key("alice").unwrap_err(), &path);
        // Restoring the file restores the key.
        fs::write(&path, &good).unwrap();
        kr.signing_key("alice").unwrap();
    }
}

#[test]
fn stray_files_are_ignored_by_list() {
    let tmp = tempfile::tempdir().unwrap();
    let kr = test_keyring(tmp.path());
    kr.add("alice", None).unwrap();
    fs::write(tmp.path().join(".0123.tmp"), b"partial").unwrap();
    fs::write(tmp.path().join("README"), b"hi").unwrap();
    fs::write(tmp.path().join("bad name.info"), b"x").unwrap();
    fs::create_dir(tmp.path().join("sub")).unwrap();
    assert_eq!(kr.list().unwrap().len(), 1);
}

#[test]
fn export_import_roundtrip_across_backends() {
    let tmp = tempfile::tempdir().unwrap();
    let src = file_keyring(&tmp.path().join("a"), PW);
    let (alice, _) = src.add("alice", Some(ABANDON_ABOUT)).unwrap();
    let armored = src.export("alice", "export pw").unwrap();
    assert!(armored.starts_with("-----BEGIN DCLOUD PRIVATE KEY-----\n"));
    assert!(armored.trim_end().ends_with("-----END DCLOUD PRIVATE KEY-----"));
    assert!(armored.contains("\nkdf: argon2id\n"));
    assert!(armored.contains("\ntype: secp256k1\n"));

    let dst = test_keyring(&tmp.path().join("b"));
    assert!(matches!(
        dst.import("alice", &armored, "wrong export pw"),
        Err(CryptoError::WrongPassphrase)
    ));
    assert!(matches!(
        dst.import("alice", "not armor", "export pw"),
        Err(CryptoError::InvalidArmor(_))
    ));
    assert!(dst.list().unwrap().is_empty());
    let imported = dst.import("alice-copy", &armored, "export pw").unwrap();
    assert_eq!(imported.address, alice.address);
    assert_eq!(imported.pubkey, alice.pubkey);
    assert_eq!(imported.name, "alice-copy");
    assert_eq!(
        dst.signing_key("alice-copy").unwrap().to_bytes(),
        src.signing_key("alice").unwrap().to_bytes()
    );

    assert!(matches!(
        dst.import("alice-copy", &armored, "export pw"),
        Err(CryptoError::KeyExists(_))
    ));
    assert!(matches!(
        dst.import("again", &armored, "export pw"),
        Err(CryptoError::AddressExists { .. })
    ));
    assert!(matches!(src.export("alice", ""), Err(CryptoError::EmptyPassphrase)));
    assert!(matches!(src.export("nobody", "x"), Err(CryptoError::KeyNotFound(_))));

    // And back into a fresh file keyring.
    let back = file_keyring(&tmp.path().join("c"), "another");
    let out = dst.export("alice-copy", "pw2").unwrap();
    back.import("alice", &out, "pw2").unwrap();
    assert_eq!(back.signing_key("alice").unwrap().public_key(), alice.public_key().unwrap());
}

#[test]
fn debug_output_hides_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let kr = file_keyring(tmp.path(), "hunter2-secret");
    let dbg = format!("{kr:?}");
    assert!(!dbg.contains("hunter2"), "{dbg}");
    assert!(dbg.contains("redacted"));
}

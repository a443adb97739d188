//! `dcloud keys …` through the real binary.

mod common;

use common::Env;

/// cosmjs vector (crates/crypto/testdata/cosmjs-vectors.json).
const MNEMONIC: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ADDRESS: &str = "akash19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0";

fn test_env() -> Env {
    Env::new().env("DCLOUD_KEYRING_BACKEND", "test")
}

#[test]
fn recover_gives_the_cosmjs_address() {
    let env = test_env();
    let out = env
        .run_stdin(&["keys", "add", "k", "--recover", "-o", "json"], &format!("{MNEMONIC}\n"))
        .json();
    assert_eq!(out["address"], ADDRESS);
    assert!(out.get("mnemonic").is_none(), "a recovered mnemonic is not echoed");
    assert_eq!(env.run(&["keys", "show", "k", "-a"]).ok().trim(), ADDRESS);
    // By address too.
    assert_eq!(env.run(&["keys", "show", ADDRESS, "-o", "json"]).json()["name"], "k");
}

#[test]
fn add_list_show_delete() {
    let env = test_env();
    let a = env.run(&["keys", "add", "alice", "-o", "json"]).json();
    let words = a["mnemonic"].as_str().expect("mnemonic shown once");
    assert_eq!(words.split(' ').count(), 24);
    let text = env.run(&["keys", "add", "bob"]).ok().to_string();
    assert!(text.contains("mnemonic"), "{text}");

    let list = env.run(&["keys", "list", "-o", "json"]).json();
    let names: Vec<&str> =
        list.as_array().expect("array").iter().map(|k| k["name"].as_str().expect("name")).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert!(list[0].get("mnemonic").is_none());
    assert_eq!(
        env.run(&["keys", "show", "alice", "-a"]).ok().trim(),
        a["address"].as_str().expect("address")
    );

    // Same mnemonic in a second home gives the same address.
    let env2 = test_env();
    let again = env2
        .run_stdin(&["keys", "add", "x", "--recover", "-o", "json"], &format!("{words}\n"))
        .json();
    assert_eq!(again["address"], a["address"]);

    // Duplicates and bad names are one-line errors.
    env.run(&["keys", "add", "alice"]).one_line_error();
    env.run(&["keys", "add", "bad name!"]).one_line_error();

    // Delete without -y and no terminal refuses; with -y deletes.
    let e = env.run(&["keys", "delete", "alice"]).one_line_error().to_string();
    assert!(e.contains("-y"), "{e}");
    env.run(&["keys", "delete", "alice", "-y"]).ok();
    let e = env.run(&["keys", "show", "alice"]).one_line_error().to_string();
    assert!(e.contains("not found"), "{e}");
    let list = env.run(&["keys", "list", "-o", "json"]).json();
    assert_eq!(list.as_array().expect("array").len(), 1);
}

#[test]
fn recover_rejects_a_bad_mnemonic() {
    let env = test_env();
    let e = env
        .run_stdin(&["keys", "add", "k", "--recover"], "abandon abandon abandon\n")
        .one_line_error()
        .to_string();
    assert!(e.contains("mnemonic"), "{e}");
}

#[test]
fn file_backend_encrypts_and_rejects_a_wrong_passphrase() {
    let env = Env::new().env("DCLOUD_KEYRING_BACKEND", "file");
    let good = [("DCLOUD_KEYRING_PASSPHRASE", "correct horse")];
    let run = |args: &[&str], envs: &[(&str, &str)]| {
        let mut c = env.cmd(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        let o = c.stdin(std::process::Stdio::null()).output().expect("run");
        common::Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    };
    let k = run(&["keys", "add", "k", "--recover", "-o", "json"], &good);
    // No mnemonic on stdin (stdin is closed): a clear error.
    k.one_line_error();
    let mut c = env.cmd(&["keys", "add", "k", "--recover", "-o", "json"]);
    c.env("DCLOUD_KEYRING_PASSPHRASE", "correct horse");
    let child = c
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut child = child;
    std::io::Write::write_all(
        &mut child.stdin.take().expect("stdin"),
        format!("{MNEMONIC}\n").as_bytes(),
    )
    .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The secret is not in plain text on disk.
    let file =
        std::fs::read_to_string(env.home.join("keyring-file").join("k.info")).expect("key file");
    assert!(file.contains("argon2id"), "{file}");
    // Public data needs no passphrase.
    assert_eq!(run(&["keys", "show", "k", "-a"], &[]).ok().trim(), ADDRESS);
    // A wrong passphrase is a clear one-line error.
    let e = run(
        &["keys", "export", "k"],
        &[("DCLOUD_KEYRING_PASSPHRASE", "wrong"), ("DCLOUD_EXPORT_PASSPHRASE", "x")],
    )
    .one_line_error()
    .to_string();
    assert!(e.contains("wrong passphrase"), "{e}");
    let e = run(&["keys", "delete", "k", "-y"], &[("DCLOUD_KEYRING_PASSPHRASE", "wrong")])
        .one_line_error()
        .to_string();
    assert!(e.contains("wrong passphrase"), "{e}");
    // The key for the test backend is elsewhere: a hint, not a confusing error.
    let e =
        run(&["--keyring-backend", "test", "keys", "show", "k"], &[]).one_line_error().to_string();
    assert!(e.contains("--keyring-backend file"), "{e}");
    // The right passphrase works.
    run(&["keys", "delete", "k", "-y"], &good).ok();
}

#[test]
fn export_then_import_elsewhere_gives_the_same_key() {
    let env = test_env();
    env.run_stdin(&["keys", "add", "k", "--recover"], &format!("{MNEMONIC}\n")).ok();
    let exp = [("DCLOUD_EXPORT_PASSPHRASE", "export-pass")];
    let mut c = env.cmd(&["keys", "export", "k"]);
    c.envs(exp);
    let o = c.stdin(std::process::Stdio::null()).output().expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let armored = String::from_utf8(o.stdout).expect("utf8");
    assert!(armored.contains("BEGIN"), "{armored}");
    assert!(!armored.contains(MNEMONIC));
    let file = env.dir.path().join("k.armor");
    std::fs::write(&file, &armored).expect("write armor");

    let other = test_env();
    let mut c =
        other.cmd(&["keys", "import", "imported", file.to_str().expect("path"), "-o", "json"]);
    c.envs(exp);
    let o = c.stdin(std::process::Stdio::null()).output().expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["address"], ADDRESS);

    // Wrong export passphrase: clear error.
    let third = test_env();
    let mut c = third.cmd(&["keys", "import", "x", file.to_str().expect("path")]);
    c.env("DCLOUD_EXPORT_PASSPHRASE", "nope");
    let o = c.stdin(std::process::Stdio::null()).output().expect("run");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("wrong passphrase") && err.lines().count() == 1, "{err}");
}

//! CLI end to end for proof of stake on a devnet: a new key funded, delegating, querying,
//! unbonding and cancelling the unbonding, the validator list, a text proposal submitted,
//! deposited on, voted and tallied, funding the community pool, the slashing queries and
//! the clear refusal of unjailing a validator that is not jailed.

mod common;

use std::time::Duration;

use common::Env;
use serde_json::Value;

const T: Duration = Duration::from_secs(60);

/// An amount that JSON carries as a string or a number.
fn amount(v: &Value) -> u128 {
    match v {
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("not an amount: {v}")),
        Value::Number(n) => n.as_u64().map(u128::from).unwrap_or_else(|| panic!("{v}")),
        _ => panic!("not an amount: {v}"),
    }
}

/// `GET path` on the REST API (plain HTTP/1.0); the JSON body.
fn rest_get(addr: &str, path: &str) -> Value {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("send request");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read response");
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{resp}"));
    assert!(head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"), "{path}: {resp}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"))
}

/// Runs a tx (`-y -o json`) and asserts it was committed with code 0.
#[track_caller]
fn tx_ok(env: &Env, args: &[&str]) -> Value {
    let mut a: Vec<&str> = vec!["tx"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["-y", "-o", "json"]);
    let out = env.run(&a).json();
    assert_eq!(out["code"], 0, "{args:?}: {out}");
    out
}

#[test]
fn delegate_unbond_cancel_gov_and_slashing_commands_on_a_devnet() {
    let (env, mut devnet, api_laddr) = common::devnet();
    env.wait_for_height(1, T, &mut devnet);

    // A second key, funded by alice.
    env.run(&["keys", "add", "carol"]).ok();
    let carol = env.run(&["keys", "show", "carol", "-a"]).ok().trim().to_string();
    tx_ok(&env, &["bank", "send", "alice", &carol, "50000000uakt"]);

    // The validator list has the devnet validator.
    let vals = env.run(&["query", "staking", "validators", "-o", "json"]).json();
    let vals = vals.as_array().expect("validators list");
    assert_eq!(vals.len(), 1, "{vals:?}");
    let valoper = vals[0]["operator_address"].as_str().expect("operator").to_string();
    assert!(valoper.starts_with("akashvaloper"), "{valoper}");
    let tokens_before = amount(&vals[0]["tokens"]);

    // Delegate, then query the delegation.
    tx_ok(&env, &["staking", "delegate", &valoper, "20000000uakt", "--from", "carol"]);
    let d = env.run(&["query", "staking", "delegations", "carol", "-o", "json"]).json();
    assert_eq!(d["delegations"][0]["delegation"]["validator"], valoper.as_str(), "{d}");
    assert_eq!(amount(&d["delegations"][0]["balance"]["amount"]), 20_000_000, "{d}");
    let v = env.run(&["query", "staking", "validator", &valoper, "-o", "json"]).json();
    assert_eq!(amount(&v["tokens"]), tokens_before + 20_000_000);

    // Unbond 8 AKT, then cancel 3 of them by the entry's creation height.
    let out = tx_ok(&env, &["staking", "unbond", &valoper, "8000000uakt", "--from", "carol"]);
    let d = env.run(&["query", "staking", "delegations", "carol", "-o", "json"]).json();
    assert_eq!(amount(&d["delegations"][0]["balance"]["amount"]), 12_000_000, "{d}");
    let entry = &d["unbonding"][0]["entries"][0];
    assert_eq!(amount(&entry["balance"]), 8_000_000, "{d}");
    let created = entry["creation_height"].as_u64().expect("creation_height");
    assert_eq!(Some(created), out["height"].as_u64(), "the entry is created at the tx height");
    tx_ok(
        &env,
        &[
            "staking",
            "cancel-unbond",
            &valoper,
            "3000000uakt",
            &created.to_string(),
            "--from",
            "carol",
        ],
    );
    let d = env.run(&["query", "staking", "delegations", "carol", "-o", "json"]).json();
    assert_eq!(amount(&d["delegations"][0]["balance"]["amount"]), 15_000_000, "{d}");
    assert_eq!(amount(&d["unbonding"][0]["entries"][0]["balance"]), 5_000_000, "{d}");
    // An entry that does not exist is a clear error.
    let bad = env.run(&[
        "tx",
        "staking",
        "cancel-unbond",
        &valoper,
        "1uakt",
        &(created + 100_000).to_string(),
        "--from",
        "carol",
        "-y",
    ]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("no unbonding"), "{}", bad.stderr);

    // Fund the community pool.
    let pool = |env: &Env| {
        let p = env.run(&["query", "distribution", "community-pool", "-o", "json"]).json();
        p["pool"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["denom"] == "uakt"))
            .map_or(0, |c| amount(&c["amount"]))
    };
    let before = pool(&env);
    tx_ok(&env, &["distribution", "fund-community-pool", "1000000uakt", "--from", "carol"]);
    assert!(pool(&env) >= before + 1_000_000);

    // A text proposal: submitted with 40 % of the minimum deposit, topped up, voted, tallied.
    let gp = env.run(&["query", "gov", "params", "-o", "json"]).json();
    let min_deposit = amount(&gp["min_deposit"]);
    let file = env.dir.path().join("proposal.json");
    let initial = min_deposit * 2 / 5;
    std::fs::write(
        &file,
        serde_json::json!({
            "messages": [],
            "deposit": format!("{initial}uakt"),
            "title": "Signal: more validators",
            "summary": "A text proposal from the staking CLI test."
        })
        .to_string(),
    )
    .expect("write proposal");
    tx_ok(&env, &["gov", "submit-proposal", &file.to_string_lossy(), "--from", "alice"]);
    let ps = env.run(&["query", "gov", "proposals", "-o", "json"]).json();
    let id = ps.as_array().and_then(|a| a.last()).and_then(|p| p["id"].as_u64()).expect("id");
    let rest = min_deposit - initial;
    tx_ok(&env, &["gov", "deposit", &id.to_string(), &format!("{rest}uakt"), "--from", "bob"]);
    let p = env.run(&["query", "gov", "proposal", &id.to_string(), "-o", "json"]).json();
    assert_eq!(p["status"], "PROPOSAL_STATUS_VOTING_PERIOD", "{p}");
    tx_ok(&env, &["gov", "vote", &id.to_string(), "yes", "--from", "validator"]);
    let t = env.run(&["query", "gov", "tally", &id.to_string(), "-o", "json"]).json();
    // The validator votes for all its bonded stake (carol did not vote: she inherits it).
    assert!(amount(&t["yes_count"]) >= tokens_before, "{t}");
    assert_eq!(amount(&t["no_count"]), 0, "{t}");

    // Slashing queries.
    let sp = env.run(&["query", "slashing", "params", "-o", "json"]).json();
    assert_eq!(sp["slash_fraction_double_sign"], "0.050000000000000000", "{sp}");
    let all = env.run(&["query", "slashing", "signing-infos", "-o", "json"]).json();
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
    let si = env.run(&["query", "slashing", "signing-info", &valoper, "-o", "json"]).json();
    assert_eq!(si["validator"], valoper.as_str(), "{si}");
    assert_eq!(si["tombstoned"], false, "{si}");

    // Unjailing a validator that is not jailed is refused before anything is sent.
    let r = env.run(&["tx", "slashing", "unjail", "--from", "validator", "-y"]);
    let line = r.one_line_error();
    assert!(line.contains("is not jailed"), "{line}");
    // And carol operates no validator.
    let r = env.run(&["tx", "slashing", "unjail", "--from", "carol", "-y"]);
    assert!(r.one_line_error().contains("does not operate a validator"), "{}", r.stderr);

    // The REST API answers the same.
    let get = |path: &str| rest_get(&api_laddr, path);
    assert_eq!(get(&format!("/cosmos/gov/v1/proposals/{id}"))["id"], id);
    assert!(get(&format!("/cosmos/gov/v1/proposals/{id}/tally"))["yes_count"].is_string());
    assert!(get(&format!("/cosmos/gov/v1/proposals/{id}/votes")).is_array());
    assert!(get(&format!("/cosmos/gov/v1/proposals/{id}/deposits")).is_array());
    assert!(get("/cosmos/gov/v1/params")["min_deposit"].is_string());
    assert!(get("/cosmos/slashing/v1beta1/params")["signed_blocks_window"].is_number());
    assert_eq!(get("/cosmos/slashing/v1beta1/signing_infos").as_array().map(Vec::len), Some(1));
    assert_eq!(
        get(&format!("/cosmos/slashing/v1beta1/signing_infos/{valoper}"))["validator"],
        valoper.as_str()
    );
}

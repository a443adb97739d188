//! The `dcloud-client` library against a real devnet started through the binary:
//! typed queries, sign-and-broadcast (gas auto, fee from min gas price), failures as
//! `TxFailed`, and websocket subscriptions.

mod common;

use std::time::Duration;

use common::Env;
use dcloud_client::{ClientError, GasSetting, RpcClient, TxOptions};
use dcloud_crypto::keyring::{Keyring, KeyringBackend};
use futures::StreamExt;

const T: Duration = Duration::from_secs(60);

/// The next event, or a panic after `t`.
async fn next_with_timeout(
    sub: &mut dcloud_client::Subscription,
    t: Duration,
) -> dcloud_client::rpc_types::SubscriptionEvent {
    match tokio::time::timeout(t, sub.next()).await {
        Ok(Some(Ok(ev))) => ev,
        other => panic!("no event within {t:?}: {other:?}"),
    }
}

#[test]
fn client_sends_queries_and_subscribes() {
    let rpc = common::free_port();
    let api = common::free_port();
    let mut env = Env::new();
    env.node = format!("http://127.0.0.1:{rpc}");
    let mut devnet = env.spawn(
        "devnet",
        &[
            "devnet",
            "--no-provider",
            "--rpc.laddr",
            &format!("127.0.0.1:{rpc}"),
            "--api.laddr",
            &format!("127.0.0.1:{api}"),
        ],
    );
    env.wait_for_height(1, T, &mut devnet);
    let kr = Keyring::open(&env.home.join("keyring-test"), KeyringBackend::Test).expect("keyring");
    let alice = kr.signing_key("alice").expect("alice");
    let bob = kr.get("bob").expect("bob").address;
    let alice_addr = alice.public_key().address();

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let c = RpcClient::new(&env.node).expect("client");
        let st = c.status().await.expect("status");
        assert_eq!(st.node_info.network, "dcloud-devnet-1");
        let mut sub = c
            .subscribe(&format!("tm.event='Tx' AND transfer.recipient='{bob}'"))
            .await
            .expect("subscribe");

        let before = c.balances(&bob).await.expect("balances").amount_of("uakt");
        let msg = dcloud_proto::msg_send(&alice_addr.to_string(), &bob.to_string(), 7, "uakt");
        let out = dcloud_client::sign_and_broadcast(
            &c,
            &alice,
            std::slice::from_ref(&msg),
            &TxOptions::default(),
        )
        .await
        .expect("send");
        assert_eq!(out.code, 0);
        let height = out.height.expect("committed");
        assert!(out.gas_used > 0 && out.gas_used <= out.gas_wanted, "{out:?}");
        assert_eq!(c.balances(&bob).await.expect("balances").amount_of("uakt"), before + 7);
        let acc = c.account(&alice_addr).await.expect("account").expect("exists");
        assert_eq!(acc.sequence, 1);
        let unknown: dcloud_types::AccAddress =
            "akash19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0".parse().expect("addr");
        assert!(c.account(&unknown).await.expect("query").is_none());
        assert_eq!(c.supply().await.expect("supply").amount_of("uact"), 4_000_000_000);
        assert_eq!(c.validators().await.expect("validators").validators.len(), 1);
        // The wallet description (Keplr's experimentalSuggestChain object).
        let ci = env.run(&["chain-info", "--rest", &format!("http://127.0.0.1:{api}")]).json();
        assert_eq!(ci["chainId"], "dcloud-devnet-1", "{ci}");
        assert_eq!(ci["rpc"], env.node.as_str());
        assert_eq!(ci["bip44"]["coinType"], 118);
        assert_eq!(ci["bech32Config"]["bech32PrefixAccAddr"], "akash");
        assert_eq!(ci["feeCurrencies"][0]["coinMinimalDenom"], "uakt");
        assert!(ci["feeCurrencies"][0]["gasPriceStep"]["low"].as_f64().expect("low") > 0.0);
        let res = c.block_results(Some(height)).await.expect("block results");
        assert_eq!(res.tx_results.len(), 1);
        let found = c.tx(&out.hash).await.expect("tx");
        assert_eq!(found.height, height);
        assert!(c.find_tx(&"00".repeat(32)).await.expect("find").is_none());

        let ev = next_with_timeout(&mut sub, Duration::from_secs(20)).await;
        let recipients = ev.events.get("transfer.recipient").cloned().unwrap_or_default();
        assert!(recipients.contains(&bob.to_string()), "{ev:?}");

        // Failures are typed, with the reason.
        let too_much = dcloud_proto::msg_send(
            &alice_addr.to_string(),
            &bob.to_string(),
            u64::MAX as u128 * 1000,
            "uakt",
        );
        match dcloud_client::sign_and_broadcast(
            &c,
            &alice,
            std::slice::from_ref(&too_much),
            &TxOptions::default(),
        )
        .await
        {
            Err(ClientError::TxFailed { code, log, .. }) => {
                assert_eq!(code, 5, "{log}");
                assert!(log.contains("insufficient"), "{log}");
            }
            other => panic!("expected TxFailed, got {other:?}"),
        }
        let fixed = TxOptions { gas: GasSetting::Fixed(200_000), ..TxOptions::default() };
        match dcloud_client::sign_and_broadcast(&c, &alice, &[too_much], &fixed).await {
            Err(ClientError::TxFailed { code: 5, height: Some(_), .. }) => {}
            Err(ClientError::TxFailed { code: 5, height: None, .. }) => {} // rejected by check_tx
            other => panic!("expected TxFailed code 5, got {other:?}"),
        }
        let wrong_chain = TxOptions { chain_id: Some("other-chain".into()), ..fixed.clone() };
        match dcloud_client::sign_and_broadcast(
            &c,
            &alice,
            std::slice::from_ref(&msg),
            &wrong_chain,
        )
        .await
        {
            Err(ClientError::TxFailed { code: 4, .. }) => {}
            other => panic!("expected an unauthorized TxFailed, got {other:?}"),
        }
        let low_fee = TxOptions { fees: Some("1uakt".parse().expect("coins")), ..fixed };
        match dcloud_client::sign_and_broadcast(&c, &alice, &[msg], &low_fee).await {
            Err(ClientError::TxFailed { code: 13, .. }) => {}
            other => panic!("expected an insufficient-fee TxFailed, got {other:?}"),
        }
    });
    assert_eq!(devnet.interrupt(Duration::from_secs(20)), 0, "{}", devnet.logs());
}

//! `dcloud tx staking …`, `dcloud tx distribution …`, `dcloud tx slashing …`,
//! `dcloud query staking …`, `dcloud query distribution …`, `dcloud query slashing …`,
//! `dcloud query mint …`: proof of stake.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use dcloud_client::staking as cs;
use dcloud_client::RpcClient;
use dcloud_types::{AccAddress, Coins, DENOM_AKT};

use crate::common::{send, TxFlags};
use crate::ctx::Ctx;
use crate::output::print_json;

/// `tx staking …`.
#[derive(Debug, Subcommand)]
pub(crate) enum StakingTx {
    /// Become a validator: `dcloud tx staking create-validator 1000000000uakt --from validator`
    /// (the consensus key defaults to this home's node key).
    CreateValidator(CreateValidator),
    /// Change a validator's commission rate or moniker (the operator).
    EditValidator {
        /// New commission rate (decimal).
        #[arg(long)]
        commission_rate: Option<String>,
        /// New moniker.
        #[arg(long)]
        moniker: Option<String>,
        /// Signing key: the operator.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Delegate: `dcloud tx staking delegate akashvaloper1… 5000000uakt --from alice`.
    Delegate {
        /// Validator (`akashvaloper…`, the operator's `akash…` address or key name).
        validator: String,
        /// Amount in uakt.
        amount: String,
        /// Signing key: the delegator.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Undelegate; the tokens arrive after the unbonding time.
    Unbond {
        /// Validator.
        validator: String,
        /// Amount in uakt.
        amount: String,
        /// Signing key: the delegator.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Cancel (part of) an unbonding: `dcloud tx staking cancel-unbond akashvaloper1… 5000000uakt 1234 --from alice`
    /// puts the amount of the unbonding entry created at that height back into the delegation.
    CancelUnbond {
        /// Validator.
        validator: String,
        /// Amount in uakt (at most the entry's balance).
        amount: String,
        /// Height the unbonding entry was created at (see `query staking delegations`).
        creation_height: u64,
        /// Signing key: the delegator.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Move a delegation to another validator at once.
    Redelegate {
        /// Source validator.
        src: String,
        /// Destination validator.
        dst: String,
        /// Amount in uakt.
        amount: String,
        /// Signing key: the delegator.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// Flags of `tx staking create-validator`.
#[derive(Debug, Args)]
pub(crate) struct CreateValidator {
    /// Self-delegation, in uakt.
    amount: String,
    /// Moniker [default: the key name].
    #[arg(long)]
    moniker: Option<String>,
    /// ed25519 consensus public key, base64 [default: <home>/config/node_key.json].
    #[arg(long)]
    pubkey: Option<String>,
    /// Commission rate (decimal).
    #[arg(long, default_value = "0.1")]
    commission_rate: String,
    /// Maximum commission rate, fixed forever.
    #[arg(long, default_value = "0.2")]
    commission_max_rate: String,
    /// Maximum commission change per day, fixed forever.
    #[arg(long, default_value = "0.01")]
    commission_max_change_rate: String,
    /// Minimum self-delegation in uakt (below it the validator is jailed).
    #[arg(long, default_value_t = 1)]
    min_self_delegation: u128,
    /// Signing key: the operator.
    #[arg(long)]
    from: String,
    #[command(flatten)]
    common: TxFlags,
}

/// `tx distribution …`.
#[derive(Debug, Subcommand)]
pub(crate) enum DistributionTx {
    /// Withdraw the rewards of a delegation (and the commission with `--commission`).
    WithdrawRewards {
        /// Validator.
        validator: String,
        /// Also withdraw the validator's commission (the operator only).
        #[arg(long)]
        commission: bool,
        /// Signing key: the delegator.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Give coins to the community pool: `dcloud tx distribution fund-community-pool 1000000uakt --from alice`.
    FundCommunityPool {
        /// Coins (`1000000uakt`, comma-separated for several denoms).
        amount: String,
        /// Signing key: the depositor.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
    /// Send future rewards to another address.
    SetWithdrawAddr {
        /// Address or key name.
        address: String,
        /// Signing key: the delegator.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `tx slashing …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SlashingTx {
    /// Bring the operator's jailed validator back after its jail time:
    /// `dcloud tx slashing unjail --from validator`.
    Unjail {
        /// Signing key: the operator.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        common: TxFlags,
    },
}

/// `query slashing …`.
#[derive(Debug, Subcommand)]
pub(crate) enum SlashingQuery {
    /// Slashing params.
    Params,
    /// A validator's signing info (missed blocks, jailed until, tombstoned).
    SigningInfo {
        /// Consensus address (hex), `akashvaloper…`, the operator's address or key name.
        validator: String,
    },
    /// Every validator's signing info.
    SigningInfos,
}

/// `query staking …`.
#[derive(Debug, Subcommand)]
pub(crate) enum StakingQuery {
    /// Every validator.
    Validators,
    /// One validator.
    Validator {
        /// Validator.
        validator: String,
    },
    /// A delegator's delegations, unbondings and redelegations.
    Delegations {
        /// Delegator address or key name.
        address: String,
    },
    /// Bonded and not-bonded tokens.
    Pool,
    /// Staking params.
    Params,
}

/// `query distribution …`.
#[derive(Debug, Subcommand)]
pub(crate) enum DistributionQuery {
    /// A delegator's pending rewards.
    Rewards {
        /// Delegator address or key name.
        address: String,
    },
    /// A validator's commission and outstanding rewards.
    Commission {
        /// Validator.
        validator: String,
    },
    /// The community pool.
    CommunityPool,
    /// Distribution params.
    Params,
}

/// `query mint …`.
#[derive(Debug, Subcommand)]
pub(crate) enum MintQuery {
    /// Current inflation, annual provisions and bonded ratio.
    Inflation,
    /// Mint params.
    Params,
}

fn validator_arg(ctx: &Ctx, s: &str) -> anyhow::Result<AccAddress> {
    match cs::parse_validator(s) {
        Ok(a) => Ok(a),
        Err(_) => ctx.resolve_address(s, "validator"),
    }
}

fn consensus_pubkey(ctx: &Ctx, b64: Option<&str>) -> anyhow::Result<[u8; 32]> {
    use base64::Engine;
    if let Some(s) = b64 {
        let v = base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .context("--pubkey must be base64")?;
        return v.try_into().map_err(|_| anyhow::anyhow!("--pubkey must be a 32-byte ed25519 key"));
    }
    let path = dcloud_crypto::ed25519::node_key_path(&ctx.home());
    let key = dcloud_crypto::ed25519::NodeKey::load_json(&path)
        .map_err(|e| anyhow::anyhow!("{}: {e} (pass --pubkey)", path.display()))?;
    Ok(key.public_key())
}

pub(crate) async fn staking_tx(ctx: &Ctx, cmd: StakingTx) -> anyhow::Result<()> {
    match cmd {
        StakingTx::CreateValidator(c) => create_validator(ctx, c).await,
        StakingTx::EditValidator { commission_rate, moniker, from, common } => {
            if commission_rate.is_none() && moniker.is_none() {
                bail!("nothing to change: pass --commission-rate and/or --moniker");
            }
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let op = key.public_key().address();
            let msg = cs::edit_validator(&op, commission_rate.as_deref(), moniker.as_deref())?;
            send(ctx, &key, &[msg], &opts, &common, &format!("edit validator {}", cs::valoper(&op)))
                .await
        }
        StakingTx::Delegate { validator, amount, from, common } => {
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let del = key.public_key().address();
            let val = validator_arg(ctx, &validator)?;
            let c = cs::parse_uakt(&amount)?;
            let summary = format!("delegate {c} from {del} to {}", cs::valoper(&val));
            send(ctx, &key, &[cs::delegate(&del, &val, &c)], &opts, &common, &summary).await
        }
        StakingTx::Unbond { validator, amount, from, common } => {
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let del = key.public_key().address();
            let val = validator_arg(ctx, &validator)?;
            let c = cs::parse_uakt(&amount)?;
            let summary = format!("unbond {c} of {del} from {}", cs::valoper(&val));
            send(ctx, &key, &[cs::undelegate(&del, &val, &c)], &opts, &common, &summary).await
        }
        StakingTx::CancelUnbond { validator, amount, creation_height, from, common } => {
            cancel_unbond(ctx, &validator, &amount, creation_height, &from, common).await
        }
        StakingTx::Redelegate { src, dst, amount, from, common } => {
            redelegate(ctx, &src, &dst, &amount, &from, common).await
        }
    }
}

async fn create_validator(ctx: &Ctx, c: CreateValidator) -> anyhow::Result<()> {
    let CreateValidator {
        amount,
        moniker,
        pubkey,
        commission_rate,
        commission_max_rate,
        commission_max_change_rate,
        min_self_delegation,
        from,
        common,
    } = c;
    let opts = common.options(ctx)?;
    let key = ctx.signing_key(&from)?;
    let op = key.public_key().address();
    let v = cs::NewValidator {
        moniker: moniker.unwrap_or_else(|| from.clone()),
        consensus_pubkey: consensus_pubkey(ctx, pubkey.as_deref())?,
        rate: commission_rate,
        max_rate: commission_max_rate,
        max_change_rate: commission_max_change_rate,
        min_self_delegation,
        amount: cs::parse_uakt(&amount)?,
    };
    let msg = cs::create_validator(&op, &v)?;
    let summary = format!("create validator {} with {}", cs::valoper(&op), v.amount);
    send(ctx, &key, &[msg], &opts, &common, &summary).await
}

async fn cancel_unbond(
    ctx: &Ctx,
    validator: &str,
    amount: &str,
    creation_height: u64,
    from: &str,
    common: TxFlags,
) -> anyhow::Result<()> {
    if creation_height == 0 {
        bail!("CREATION_HEIGHT must be positive (see `dcloud query staking delegations`)");
    }
    let opts = common.options(ctx)?;
    let key = ctx.signing_key(from)?;
    let del = key.public_key().address();
    let val = validator_arg(ctx, validator)?;
    let c = cs::parse_uakt(amount)?;
    let summary = format!(
        "cancel the unbonding of {c} of {del} from {} (created at height {creation_height})",
        cs::valoper(&val)
    );
    let msg = cs::cancel_unbond(&del, &val, &c, creation_height);
    send(ctx, &key, &[msg], &opts, &common, &summary).await
}

async fn redelegate(
    ctx: &Ctx,
    src: &str,
    dst: &str,
    amount: &str,
    from: &str,
    common: TxFlags,
) -> anyhow::Result<()> {
    let opts = common.options(ctx)?;
    let key = ctx.signing_key(from)?;
    let del = key.public_key().address();
    let (s, d) = (validator_arg(ctx, src)?, validator_arg(ctx, dst)?);
    let c = cs::parse_uakt(amount)?;
    let summary =
        format!("redelegate {c} of {del} from {} to {}", cs::valoper(&s), cs::valoper(&d));
    send(ctx, &key, &[cs::redelegate(&del, &s, &d, &c)], &opts, &common, &summary).await
}

pub(crate) async fn distribution_tx(ctx: &Ctx, cmd: DistributionTx) -> anyhow::Result<()> {
    match cmd {
        DistributionTx::WithdrawRewards { validator, commission, from, common } => {
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let del = key.public_key().address();
            let val = validator_arg(ctx, &validator)?;
            let mut msgs = vec![cs::withdraw_rewards(&del, &val)];
            if commission {
                if val != del {
                    bail!(
                        "--commission: only the operator of {} can withdraw its commission",
                        cs::valoper(&val)
                    );
                }
                msgs.push(cs::withdraw_commission(&val));
            }
            let summary = format!("withdraw rewards of {del} from {}", cs::valoper(&val));
            send(ctx, &key, &msgs, &opts, &common, &summary).await
        }
        DistributionTx::FundCommunityPool { amount, from, common } => {
            let coins: Coins =
                amount.parse().map_err(|e| anyhow::anyhow!("invalid amount {amount:?}: {e}"))?;
            if coins.is_empty() {
                bail!("invalid amount {amount:?}: nothing to give");
            }
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let depositor = key.public_key().address();
            let summary = format!("fund the community pool with {coins} from {depositor}");
            let msg = cs::fund_community_pool(&depositor, &coins);
            send(ctx, &key, &[msg], &opts, &common, &summary).await
        }
        DistributionTx::SetWithdrawAddr { address, from, common } => {
            let opts = common.options(ctx)?;
            let key = ctx.signing_key(&from)?;
            let del = key.public_key().address();
            let to = ctx.resolve_address(&address, "withdraw address")?;
            let summary = format!("send the rewards of {del} to {to}");
            send(ctx, &key, &[cs::set_withdraw_address(&del, &to)], &opts, &common, &summary).await
        }
    }
}

fn print_validator(v: &dcloud_chain::staking::Validator) {
    println!(
        "{}  {:<16} {:?}{}  power {}  tokens {}{DENOM_AKT}  commission {}",
        v.operator_address,
        v.description.moniker,
        v.status,
        if v.jailed { " (jailed)" } else { "" },
        v.power(),
        v.tokens,
        dcloud_chain::dec::fmt_dec18(v.commission.rate)
    );
}

pub(crate) async fn staking_query(ctx: &Ctx, cmd: StakingQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        StakingQuery::Validators => {
            let vs = cs::validators(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&vs);
            }
            if vs.is_empty() {
                println!("no validators (a fixed validator set: see `dcloud query block`)");
            }
            vs.iter().for_each(print_validator);
        }
        StakingQuery::Validator { validator } => show_validator(ctx, &client, &validator).await?,
        StakingQuery::Delegations { address } => delegations(ctx, &client, &address).await?,
        StakingQuery::Pool => {
            let p = cs::pool(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            println!("bonded: {}{DENOM_AKT}", p.bonded_tokens);
            println!("not bonded: {}{DENOM_AKT}", p.not_bonded_tokens);
        }
        StakingQuery::Params => staking_params(ctx, &client).await?,
    }
    Ok(())
}

async fn show_validator(ctx: &Ctx, client: &RpcClient, validator: &str) -> anyhow::Result<()> {
    let v = cs::validator(client, &validator_arg(ctx, validator)?, 0).await?;
    if ctx.output.is_json() {
        return print_json(&v);
    }
    print_validator(&v);
    println!("consensus address: {}", v.consensus_address);
    println!(
        "commission: max {} / max change {} per day",
        dcloud_chain::dec::fmt_dec18(v.commission.max_rate),
        dcloud_chain::dec::fmt_dec18(v.commission.max_change_rate)
    );
    Ok(())
}

async fn delegations(ctx: &Ctx, client: &RpcClient, address: &str) -> anyhow::Result<()> {
    let a = ctx.resolve_address(address, "delegator")?;
    let d = cs::delegations(client, &a, 0).await?;
    if ctx.output.is_json() {
        return print_json(&d);
    }
    if d.delegations.is_empty() && d.unbonding.is_empty() && d.redelegations.is_empty() {
        println!("{a} has no delegations");
    }
    for x in &d.delegations {
        println!("delegated {} to {}", x.balance, x.delegation.validator);
    }
    for u in &d.unbonding {
        for e in &u.entries {
            println!(
                "unbonding {}{DENOM_AKT} from {} (completes at block time {} ms)",
                e.balance, u.validator, e.completion_time_ms
            );
        }
    }
    for r in &d.redelegations {
        for e in &r.entries {
            println!(
                "redelegated {}{DENOM_AKT} {} → {} (matures at {} ms)",
                e.initial_balance, r.validator_src, r.validator_dst, e.completion_time_ms
            );
        }
    }
    Ok(())
}

async fn staking_params(ctx: &Ctx, client: &RpcClient) -> anyhow::Result<()> {
    let p = cs::staking_params(client, 0).await?;
    if ctx.output.is_json() {
        return print_json(&p);
    }
    println!("unbonding_time: {} s", p.unbonding_time_ms / 1000);
    println!("max_validators: {}", p.max_validators);
    println!("max_entries: {}", p.max_entries);
    println!("bond_denom: {}", p.bond_denom);
    println!("min_commission_rate: {}", dcloud_chain::dec::fmt_dec18(p.min_commission_rate));
    Ok(())
}

pub(crate) async fn distribution_query(ctx: &Ctx, cmd: DistributionQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        DistributionQuery::Rewards { address } => {
            let a = ctx.resolve_address(&address, "delegator")?;
            let r = cs::rewards(&client, &a, 0).await?;
            if ctx.output.is_json() {
                return print_json(&r);
            }
            for x in &r.rewards {
                println!("{}{DENOM_AKT} from {}", x.reward, x.validator_address);
            }
            println!("total: {}{DENOM_AKT}", r.total);
        }
        DistributionQuery::Commission { validator } => {
            let v = cs::validator_rewards(&client, &validator_arg(ctx, &validator)?, 0).await?;
            if ctx.output.is_json() {
                return print_json(&v);
            }
            println!("commission: {}{DENOM_AKT}", v.commission);
            println!("outstanding rewards: {}{DENOM_AKT}", v.outstanding_rewards);
        }
        DistributionQuery::CommunityPool => {
            let p = cs::community_pool(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            println!("community pool: {}", p.pool);
        }
        DistributionQuery::Params => {
            let p = cs::distribution_params(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            println!("community_tax: {}", dcloud_chain::dec::fmt_dec18(p.community_tax));
            println!("withdraw_addr_enabled: {}", p.withdraw_addr_enabled);
        }
    }
    Ok(())
}

pub(crate) async fn mint_query(ctx: &Ctx, cmd: MintQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        MintQuery::Inflation => {
            let i = cs::inflation(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&i);
            }
            println!("inflation: {}", i.inflation);
            println!("annual provisions: {}{DENOM_AKT}", i.annual_provisions);
            println!("bonded ratio: {}", i.bonded_ratio);
            println!("total minted: {}{DENOM_AKT}", i.total_minted);
        }
        MintQuery::Params => {
            let p = cs::mint_params(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            let f = dcloud_chain::dec::fmt_dec18;
            println!("mint_denom: {}", p.mint_denom);
            println!("inflation_min: {}", f(p.inflation_min));
            println!("inflation_max: {}", f(p.inflation_max));
            println!("inflation_rate_change: {}", f(p.inflation_rate_change));
            println!("goal_bonded: {}", f(p.goal_bonded));
            println!("blocks_per_year: {}", p.blocks_per_year);
        }
    }
    Ok(())
}

pub(crate) async fn slashing_tx(ctx: &Ctx, cmd: SlashingTx) -> anyhow::Result<()> {
    match cmd {
        SlashingTx::Unjail { from, common } => {
            let key = ctx.signing_key(&from)?;
            let op = key.public_key().address();
            // A clear answer before paying a fee for a tx that cannot succeed.
            let client = ctx.client()?;
            let v = cs::validator(&client, &op, 0).await.map_err(|e| {
                anyhow::anyhow!("{from} ({}) does not operate a validator: {e}", cs::valoper(&op))
            })?;
            if !v.jailed {
                bail!("validator {} is not jailed: there is nothing to unjail", v.operator_address);
            }
            if let Some(info) = cs::signing_info(&client, &v.consensus_address, 0).await? {
                if info.info.tombstoned {
                    bail!(
                        "validator {} is tombstoned (double signing) and can never be unjailed",
                        v.operator_address
                    );
                }
            }
            let opts = common.options(ctx)?;
            let summary = format!("unjail validator {}", v.operator_address);
            send(ctx, &key, &[cs::unjail(&op)], &opts, &common, &summary).await
        }
    }
}

fn print_signing_info(i: &dcloud_chain::slashing::SigningInfoView) {
    let until = match i.info.jailed_until_ms {
        0 => String::new(),
        u64::MAX => "  jailed for good".into(),
        t => format!("  jailed until {t} ms"),
    };
    println!(
        "{} {}  missed {} blocks since height {}{}{}",
        i.address,
        if i.validator.is_empty() { "(removed)" } else { i.validator.as_str() },
        i.missed_blocks_counter,
        i.info.start_height,
        until,
        if i.info.tombstoned { "  tombstoned" } else { "" }
    );
}

pub(crate) async fn slashing_query(ctx: &Ctx, cmd: SlashingQuery) -> anyhow::Result<()> {
    let client = ctx.client()?;
    match cmd {
        SlashingQuery::Params => {
            let p = cs::slashing_params(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&p);
            }
            let f = dcloud_chain::dec::fmt_dec18;
            println!("signed_blocks_window: {}", p.signed_blocks_window);
            println!("min_signed_per_window: {}", f(p.min_signed_per_window));
            println!("downtime_jail_duration: {} s", p.downtime_jail_duration_ms / 1000);
            println!("slash_fraction_double_sign: {}", f(p.slash_fraction_double_sign));
            println!("slash_fraction_downtime: {}", f(p.slash_fraction_downtime));
            println!("evidence_max_age_num_blocks: {}", p.evidence_max_age_num_blocks);
            println!("evidence_max_age: {} s", p.evidence_max_age_ms / 1000);
        }
        SlashingQuery::SigningInfo { validator } => {
            let who = if validator.len() == 40 && validator.chars().all(|c| c.is_ascii_hexdigit()) {
                validator.to_ascii_uppercase()
            } else {
                cs::valoper(&validator_arg(ctx, &validator)?)
            };
            let info = cs::signing_info(&client, &who, 0).await?;
            if ctx.output.is_json() {
                return print_json(&info);
            }
            match info {
                Some(i) => print_signing_info(&i),
                None => println!("{who} has no signing info yet"),
            }
        }
        SlashingQuery::SigningInfos => {
            let all = cs::signing_infos(&client, 0).await?;
            if ctx.output.is_json() {
                return print_json(&all);
            }
            if all.is_empty() {
                println!("no signing infos");
            }
            all.iter().for_each(print_signing_info);
        }
    }
    Ok(())
}

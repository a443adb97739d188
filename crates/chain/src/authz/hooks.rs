//! The writes other modules ask of authz: deployment takes granted funds for a deposit
//! ([`take_for_deposit`]); escrow gives refunds of granted funds back ([`restore_deposit_limit`]).

use dcloud_store::StateWrite;
use dcloud_types::{AccAddress, Coin, Coins};

use super::keys::grantee_prefix;
use super::state::{decode_grant, AuthzRead, AuthzWrite};
use super::{DepositScope, DEPOSIT_MSG_URL, MAX_GRANTS};
use crate::{bank, AppError};

/// Takes up to `amount` of `denom` for a deposit by `grantee` into an account of `scope`, from
/// the grantee's unexpired deposit grants in key order: each gives at most its spend limit and
/// its granter's balance, and its limit shrinks by what it gave. Returns (granter, amount)
/// per grant used; the caller moves the funds.
pub fn take_for_deposit(
    state: &mut dyn StateWrite,
    grantee: &AccAddress,
    denom: &str,
    amount: u128,
    scope: DepositScope,
    now_ms: u64,
) -> Result<Vec<(AccAddress, u128)>, AppError> {
    let mut out = Vec::new();
    let mut left = amount;
    for (_, v) in state.prefix_range(&grantee_prefix(grantee), None, MAX_GRANTS)? {
        if left == 0 {
            break;
        }
        let mut g = decode_grant(&v)?;
        // Only unexpired deposit grants for this kind of account.
        if g.msg_type_url != DEPOSIT_MSG_URL
            || g.expired(now_ms)
            || !g.authorization.scopes.contains(&scope)
        {
            continue;
        }
        let limit = g.authorization.spend_limits.amount_of(denom);
        let take = limit.min(left).min(bank::balance(state, &g.granter, denom)?);
        if take == 0 {
            continue;
        }
        g.authorization.spend_limits =
            g.authorization.spend_limits.checked_sub(&Coins::one(take, denom))?;
        state.put_grant(&g)?;
        left -= take;
        out.push((g.granter, take));
    }
    Ok(out)
}

/// Adds a refund of unused granted funds back to the grant's spend limit (when the grant
/// still exists).
pub fn restore_deposit_limit(
    state: &mut dyn StateWrite,
    granter: &AccAddress,
    grantee: &AccAddress,
    denom: &str,
    amount: u128,
) -> Result<(), AppError> {
    if let Some(mut g) = state.get_grant(granter, grantee, DEPOSIT_MSG_URL)? {
        g.authorization.spend_limits = g
            .authorization
            .spend_limits
            .checked_add(&Coins::from_coins([Coin::new(amount, denom)])?)?;
        state.put_grant(&g)?;
    }
    Ok(())
}

//! The tally of a proposal's votes against the bonded stake (read-only).

use dcloud_store::StateRead;
use dcloud_types::{AccAddress, ATTO};

use super::{params, votes, TallyResult, VoteOption, WeightDec};
use crate::dec::{self, mul_div_floor};
use crate::{staking, AppError};

/// The outcome of a tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyOutcome {
    /// Whether the proposal passes.
    pub passes: bool,
    /// Whether its deposits are burned.
    pub burn_deposits: bool,
    /// Whether it was vetoed.
    pub vetoed: bool,
    /// Whether quorum was missed.
    pub no_quorum: bool,
    /// The totals.
    pub tally: TallyResult,
}

/// A bonded validator in a tally: the validator, the shares of its delegators who voted
/// themselves (deducted from its own vote), and its own vote.
struct Val {
    v: staking::Validator,
    deducted: u128,
    vote: Option<Vec<(VoteOption, WeightDec)>>,
}

/// The 18-decimal voting power per option (yes, abstain, no, no-with-veto) of the votes on
/// proposal `id`, and the total turnout.
fn count_votes(state: &dyn StateRead, id: u64) -> Result<([u128; 4], u128), AppError> {
    // Bonded validators: operator → (validator, deducted shares, its own vote).
    let mut vals: std::collections::BTreeMap<AccAddress, Val> = std::collections::BTreeMap::new();
    if staking::enabled(state)? {
        for v in staking::validators(state)? {
            if v.status == staking::BondStatus::Bonded && !v.jailed {
                vals.insert(v.account.clone(), Val { v, deducted: 0, vote: None });
            }
        }
    }
    // 18-decimal totals per option.
    let mut res = [0u128; 4];
    let idx = |o: VoteOption| (o.as_i32() - 1) as usize;
    let mut total = 0u128;
    for vote in votes(state, id)? {
        if let Some(val) = vals.get_mut(&vote.voter) {
            val.vote = Some(vote.options.clone());
        }
        if !staking::enabled(state)? {
            continue;
        }
        for d in staking::delegations_of(state, &vote.voter)? {
            let op = staking::parse_valoper(&d.validator, "validator")?;
            let Some(val) = vals.get_mut(&op) else { continue };
            val.deducted = dec::add(val.deducted, d.shares)?;
            let power = mul_div_floor(
                d.shares,
                val.v.tokens.saturating_mul(ATTO),
                val.v.delegator_shares.max(1),
            )?;
            for (o, w) in &vote.options {
                res[idx(*o)] = dec::add(res[idx(*o)], mul_div_floor(power, w.0, ATTO)?)?;
            }
            total = dec::add(total, power)?;
        }
    }
    for val in vals.values() {
        let Some(opts) = &val.vote else { continue };
        let shares = val.v.delegator_shares.saturating_sub(val.deducted);
        let power = mul_div_floor(
            shares,
            val.v.tokens.saturating_mul(ATTO),
            val.v.delegator_shares.max(1),
        )?;
        for (o, w) in opts {
            res[idx(*o)] = dec::add(res[idx(*o)], mul_div_floor(power, w.0, ATTO)?)?;
        }
        total = dec::add(total, power)?;
    }
    Ok((res, total))
}

/// Tallies the current votes of a proposal against the bonded stake (read-only).
pub fn tally(state: &dyn StateRead, id: u64) -> Result<TallyOutcome, AppError> {
    let p = params(state)?;
    let (res, total) = count_votes(state, id)?;
    let tally = TallyResult {
        yes_count: res[0] / ATTO,
        abstain_count: res[1] / ATTO,
        no_count: res[2] / ATTO,
        no_with_veto_count: res[3] / ATTO,
    };
    let bonded = if staking::enabled(state)? { staking::bonded_tokens(state)? } else { 0 };
    let out = |passes, burn, vetoed, no_quorum| TallyOutcome {
        passes,
        burn_deposits: burn,
        vetoed,
        no_quorum,
        tally: tally.clone(),
    };
    if bonded == 0 {
        return Ok(out(false, false, false, true));
    }
    // turnout / bonded < quorum  ⇔  turnout < quorum × bonded (all 18-decimal).
    if total < mul_div_floor(p.quorum, bonded, 1)? {
        return Ok(out(false, p.burn_vote_quorum, false, true));
    }
    let non_abstain = total - res[1];
    if non_abstain == 0 {
        return Ok(out(false, false, false, false));
    }
    // veto / total > veto_threshold
    if mul_div_floor(res[3], ATTO, total)? > p.veto_threshold {
        return Ok(out(false, p.burn_vote_veto, true, false));
    }
    if mul_div_floor(res[0], ATTO, non_abstain)? > p.threshold {
        return Ok(out(true, false, false, false));
    }
    Ok(out(false, false, false, false))
}

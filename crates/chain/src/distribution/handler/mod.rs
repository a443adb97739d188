//! One file per distribution message: stateless checks (in `validate_basic`) → stateful
//! checks → writes → events. [`deliver`] routes a message to its handler.

pub mod fund_community_pool;
pub mod set_withdraw_address;
pub mod withdraw_delegator_reward;
pub mod withdraw_validator_commission;

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::{staking, AppError, BlockCtx};

/// Delivers a distribution message (staking must be enabled).
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    if !staking::enabled(state)? {
        return Err(AppError::StakingDisabled("distribution needs staking".into()));
    }
    match msg {
        Msg::WithdrawDelegatorReward(m) => withdraw_delegator_reward::handle(state, m, ctx, events),
        Msg::WithdrawValidatorCommission(m) => {
            withdraw_validator_commission::handle(state, m, events)
        }
        Msg::SetWithdrawAddress(m) => set_withdraw_address::handle(state, m, events),
        Msg::FundCommunityPool(m) => fund_community_pool::handle(state, m, events),
        _ => Err(AppError::UnknownRequest(format!(
            "{} is not a distribution message",
            msg.type_url()
        ))),
    }
}

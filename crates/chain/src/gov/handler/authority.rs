//! The governance-only messages (`MsgUpdateParams`, `MsgCommunityPoolSpend`,
//! `MsgSoftwareUpgrade`), signed by the gov module account: run by passed proposals.

use dcloud_proto::Msg;
use dcloud_store::StateWrite;
use dcloud_types::Event;

use crate::dec::put_json;
use crate::gov::events as ev;
use crate::gov::keys::UPGRADE_PLAN;
use crate::gov::msg::{parse_json, validate_authority_msg};
use crate::gov::{authority, GovError, UpgradePlan};
use crate::{auth, bank, parse_addr, set_params, staking, AppError, BlockCtx};

fn require_authority(m: &Msg) -> Result<(), AppError> {
    let gov = authority().to_string();
    if m.signers() != vec![gov.clone()] {
        return Err(AppError::from(GovError::InvalidSigner(format!(
            "expected the gov module account {gov} as the only signer, got {}",
            m.signers().join(", ")
        ))));
    }
    Ok(())
}

/// Delivers a governance-only message.
pub fn deliver(
    state: &mut dyn StateWrite,
    msg: &Msg,
    ctx: &BlockCtx,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    require_authority(msg)?;
    validate_authority_msg(msg)?;
    match msg {
        Msg::UpdateParams(module, u) => {
            let v: serde_json::Value = parse_json(module, &u.params_json)?;
            if matches!(*module, "staking" | "slashing" | "mint" | "distribution")
                && !staking::enabled(state)?
            {
                return Err(AppError::StakingDisabled("no staking params to update".into()));
            }
            set_params(state, module, &v)?;
            events.push(ev::update_params(module));
            Ok(())
        }
        Msg::CommunityPoolSpend(s) => {
            let to = parse_addr(&s.recipient, "recipient")?;
            if auth::is_module_address(&to) {
                return Err(AppError::Unauthorized(format!(
                    "{to} is a module account and cannot receive a community pool spend"
                )));
            }
            let coins = crate::parse_coins(&s.amount)?;
            bank::transfer(
                state,
                &auth::module_address(crate::distribution::COMMUNITY_POOL),
                &to,
                &coins,
                events,
            )?;
            events.push(ev::community_pool_spend(&to, &coins));
            Ok(())
        }
        Msg::SoftwareUpgrade(u) => {
            let plan = u.plan.as_ref().ok_or_else(|| {
                AppError::from(GovError::InvalidProposal("software upgrade without a plan".into()))
            })?;
            let height = u64::try_from(plan.height).map_err(|_| {
                AppError::from(GovError::InvalidProposal("negative upgrade height".into()))
            })?;
            if height <= ctx.height {
                return Err(AppError::from(GovError::InvalidProposal(format!(
                    "upgrade height {height} must be after the current height {}",
                    ctx.height
                ))));
            }
            let p = UpgradePlan { name: plan.name.clone(), height, info: plan.info.clone() };
            put_json(state, UPGRADE_PLAN.to_vec(), &p)?;
            events.push(ev::software_upgrade(&p.name, p.height));
            Ok(())
        }
        _ => Err(AppError::UnknownRequest("not an authority message".into())),
    }
}

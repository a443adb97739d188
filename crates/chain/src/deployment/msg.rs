//! Stateless checks of the deployment module's messages (`MsgCreateDeployment`,
//! `MsgUpdateDeployment`, `MsgDepositDeployment`, `MsgCloseDeployment`, `MsgCloseGroup`,
//! `MsgPauseGroup`, `MsgStartGroup`) and the parsing of their wire ids, amounts, group
//! specs and deposit sources. No store access.

use dcloud_proto::dcloud::deployment as pb;
use dcloud_types::AccAddress;

use super::types::{limits, GroupSpec, ResourceUnit, SignedBy};
use super::DeploymentError;
use crate::escrow::{self, parse_dec18};
use crate::provider::Attribute;
use crate::{parse_addr, AppError};
use dcloud_types::ATTO;

/// The owner and dseq of a wire deployment id (present, dseq > 0).
pub fn dep_id(id: &Option<pb::DeploymentId>) -> Result<(AccAddress, u64), AppError> {
    let id = id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing deployment id".into()))?;
    let owner = parse_addr(&id.owner, "id.owner")?;
    if id.dseq == 0 {
        return Err(AppError::InvalidRequest("dseq must be > 0".into()));
    }
    Ok((owner, id.dseq))
}

/// The owner, dseq and gseq of a wire group id (present, both > 0).
pub fn group_id(id: &Option<pb::GroupId>) -> Result<(AccAddress, u64, u32), AppError> {
    let id = id.as_ref().ok_or_else(|| AppError::InvalidRequest("missing group id".into()))?;
    let owner = parse_addr(&id.owner, "id.owner")?;
    if id.dseq == 0 || id.gseq == 0 {
        return Err(AppError::InvalidRequest("dseq and gseq must be > 0".into()));
    }
    Ok((owner, id.dseq, id.gseq))
}

/// The denom and amount of the coin in `field` (present).
pub fn parse_amount(c: &Option<pb::Coin>, field: &str) -> Result<(String, u128), AppError> {
    let c = c.as_ref().ok_or_else(|| AppError::InvalidCoins(format!("missing {field}")))?;
    dcloud_types::coin::validate_denom(&c.denom)
        .map_err(|e| AppError::InvalidCoins(format!("{field}: {e}")))?;
    let a: u128 = c
        .amount
        .parse()
        .map_err(|_| AppError::InvalidCoins(format!("{field}: malformed amount {:?}", c.amount)))?;
    if a == 0 {
        return Err(AppError::InvalidCoins(format!("{field} is zero")));
    }
    Ok((c.denom.clone(), a))
}

pub(crate) fn check_range(
    what: &str,
    v: u64,
    (lo, hi): (u64, u64),
    g: usize,
    u: usize,
) -> Result<(), AppError> {
    if v < lo || v > hi {
        return Err(DeploymentError::InvalidGroups(format!(
            "groups[{g}].resources[{u}]: {what} {v} outside {lo}..={hi}"
        ))
        .into());
    }
    Ok(())
}

/// `Endpoint.kind` of a leased IP.
pub(crate) const ENDPOINT_LEASED_IP: i32 = 2;

/// Checks the attributes of a volume or of a unit's GPUs: at most `max`, keys in
/// attribute syntax (`wildcard`: may end in `*`), values 1..=256 bytes, no duplicate
/// keys. Returns them sorted.
pub(crate) fn check_attributes(
    attrs: &[pb::Attribute],
    max: usize,
    wildcard: bool,
    at: &str,
) -> Result<Vec<Attribute>, AppError> {
    use crate::provider::{is_valid_attribute_key, MAX_ATTRIBUTE_VALUE_LEN};
    if attrs.len() > max {
        return Err(DeploymentError::InvalidGroups(format!(
            "{at}: {} attributes, at most {max} allowed",
            attrs.len()
        ))
        .into());
    }
    let mut out: Vec<Attribute> = Vec::with_capacity(attrs.len());
    for (i, a) in attrs.iter().enumerate() {
        let key = match a.key.strip_suffix('*') {
            Some(k) if wildcard => k.strip_suffix('/').unwrap_or(k),
            _ => a.key.as_str(),
        };
        if !is_valid_attribute_key(key) {
            return Err(DeploymentError::InvalidGroups(format!(
                "{at}.attributes[{i}]: invalid key {:?}",
                a.key
            ))
            .into());
        }
        if a.value.is_empty() || a.value.len() > MAX_ATTRIBUTE_VALUE_LEN {
            return Err(DeploymentError::InvalidGroups(format!(
                "{at}.attributes[{i}]: value of {:?} must be 1..={MAX_ATTRIBUTE_VALUE_LEN} bytes",
                a.key
            ))
            .into());
        }
        out.push(Attribute { key: a.key.clone(), value: a.value.clone() });
    }
    out.sort();
    if let Some(w) = out.windows(2).find(|w| w[0].key == w[1].key) {
        return Err(DeploymentError::InvalidGroups(format!(
            "{at}: duplicate attribute key {:?}",
            w[0].key
        ))
        .into());
    }
    Ok(out)
}

/// Stateless validation of group specs; returns them in app form.
pub fn validate_groups(groups: &[pb::GroupSpec]) -> Result<Vec<GroupSpec>, AppError> {
    if groups.is_empty() {
        return Err(
            DeploymentError::InvalidGroups("a deployment needs at least one group".into()).into()
        );
    }
    if groups.len() > limits::GROUPS {
        return Err(DeploymentError::InvalidGroups(format!(
            "{} groups, at most {} allowed",
            groups.len(),
            limits::GROUPS
        ))
        .into());
    }
    let mut out: Vec<GroupSpec> = Vec::with_capacity(groups.len());
    for (g, spec) in groups.iter().enumerate() {
        if spec.name.is_empty() {
            return Err(DeploymentError::InvalidGroups(format!("groups[{g}]: empty name")).into());
        }
        if out.iter().any(|o| o.name == spec.name) {
            return Err(DeploymentError::InvalidGroups(format!(
                "duplicate group name {:?}",
                spec.name
            ))
            .into());
        }
        if spec.resources.is_empty() || spec.resources.len() > limits::UNITS {
            return Err(DeploymentError::InvalidGroups(format!(
                "groups[{g}]: {} resource units, 1..={} allowed",
                spec.resources.len(),
                limits::UNITS
            ))
            .into());
        }
        let (signed_by, attributes) = requirements(spec, g)?;
        let mut denom: Option<String> = None;
        let mut total: u128 = 0;
        let mut units = Vec::new();
        for (u, ru) in spec.resources.iter().enumerate() {
            let (unit, price_denom) = validate_unit(ru, g, u)?;
            // One price denom per group.
            match &denom {
                None => denom = Some(price_denom.to_string()),
                Some(d) if d != price_denom => {
                    return Err(DeploymentError::InvalidGroups(format!(
                        "groups[{g}]: prices in both {d} and {price_denom}"
                    ))
                    .into())
                }
                _ => {}
            }
            total += unit.price_atto * u128::from(ru.count);
            units.push(unit);
        }
        if let Some(first) = out.first() {
            if Some(&first.denom) != denom.as_ref() {
                return Err(DeploymentError::InvalidGroups(
                    "all groups must price in one denom".into(),
                )
                .into());
            }
        }
        out.push(GroupSpec {
            name: spec.name.clone(),
            signed_by,
            attributes,
            resources: units,
            denom: denom.unwrap_or_default(),
            max_price_atto: total,
        });
    }
    Ok(out)
}

/// The auditors (`signed_by`) and the sorted attributes group `g` requires.
fn requirements(spec: &pb::GroupSpec, g: usize) -> Result<(SignedBy, Vec<Attribute>), AppError> {
    let req = spec.requirements.clone().unwrap_or_default();
    let sb = req.signed_by.unwrap_or_default();
    let addrs = |v: &[String], f: &str| -> Result<Vec<AccAddress>, AppError> {
        v.iter().map(|s| parse_addr(s, &format!("groups[{g}].signed_by.{f}"))).collect()
    };
    let signed_by =
        SignedBy { all_of: addrs(&sb.all_of, "all_of")?, any_of: addrs(&sb.any_of, "any_of")? };
    let mut attributes: Vec<Attribute> = req
        .attributes
        .iter()
        .map(|a| Attribute { key: a.key.clone(), value: a.value.clone() })
        .collect();
    attributes.sort();
    Ok((signed_by, attributes))
}

/// Checks resource unit `u` of group `g`: its ranges, volumes, GPU attributes and price.
/// Returns the unit and its price denom.
fn validate_unit(
    ru: &pb::ResourceUnit,
    g: usize,
    u: usize,
) -> Result<(ResourceUnit, &str), AppError> {
    let r = ru.resources.as_ref().ok_or_else(|| {
        DeploymentError::InvalidGroups(format!("groups[{g}].resources[{u}]: missing resources"))
    })?;
    check_range("cpu millicores", r.cpu_millis, limits::CPU, g, u)?;
    check_range("memory bytes", r.memory_bytes, limits::MEMORY, g, u)?;
    check_range("gpu units", r.gpu_units, (0, limits::GPU_MAX), g, u)?;
    check_range(
        "count",
        u64::from(ru.count),
        (u64::from(limits::COUNT.0), u64::from(limits::COUNT.1)),
        g,
        u,
    )?;
    let storage_attributes = validate_storage(&r.storage, g, u)?;
    let gpu_attributes = check_attributes(
        &r.gpu_attributes,
        limits::GPU_ATTRIBUTES,
        true,
        &format!("groups[{g}].resources[{u}].gpu"),
    )?;
    let price = ru.price.as_ref().ok_or_else(|| {
        DeploymentError::InvalidGroups(format!("groups[{g}].resources[{u}]: missing price"))
    })?;
    let p = parse_dec18(&price.amount).map_err(|e| {
        DeploymentError::InvalidGroups(format!("groups[{g}].resources[{u}].price: {e}"))
    })?;
    if p == 0 || p > limits::PRICE_MAX_MICRO * ATTO {
        return Err(DeploymentError::InvalidGroups(format!(
            "groups[{g}].resources[{u}].price {} outside (0, {}]",
            price.amount,
            limits::PRICE_MAX_MICRO
        ))
        .into());
    }
    let unit = ResourceUnit {
        cpu_millis: r.cpu_millis,
        memory_bytes: r.memory_bytes,
        storage: r.storage.iter().map(|s| (s.name.clone(), s.bytes)).collect(),
        storage_attributes,
        gpu_units: r.gpu_units,
        gpu_attributes,
        endpoints: r.endpoints.len() as u32,
        ip_endpoints: r.endpoints.iter().filter(|e| e.kind == ENDPOINT_LEASED_IP).count() as u32,
        count: ru.count,
        price_atto: p,
    };
    Ok((unit, &price.denom))
}

/// Checks the volumes of unit `u` of group `g` (count, sizes, unique names, attributes);
/// returns the attributes of the volumes that have any.
fn validate_storage(
    storage: &[pb::Storage],
    g: usize,
    u: usize,
) -> Result<Vec<(String, Vec<Attribute>)>, AppError> {
    if storage.len() > limits::VOLUMES {
        return Err(DeploymentError::InvalidGroups(format!(
            "groups[{g}].resources[{u}]: {} storage volumes, at most {} allowed",
            storage.len(),
            limits::VOLUMES
        ))
        .into());
    }
    let mut storage_attributes = Vec::new();
    for (v, s) in storage.iter().enumerate() {
        check_range("storage bytes", s.bytes, limits::STORAGE, g, u)?;
        let at = format!("groups[{g}].resources[{u}].storage[{v}]");
        if s.name.is_empty() || s.name.len() > limits::VOLUME_NAME_LEN {
            return Err(DeploymentError::InvalidGroups(format!(
                "{at}: volume name must be 1..={} bytes",
                limits::VOLUME_NAME_LEN
            ))
            .into());
        }
        if storage[..v].iter().any(|o| o.name == s.name) {
            return Err(DeploymentError::InvalidGroups(format!(
                "{at}: duplicate volume name {:?}",
                s.name
            ))
            .into());
        }
        let attrs = check_attributes(&s.attributes, limits::VOLUME_ATTRIBUTES, false, &at)?;
        if !attrs.is_empty() {
            storage_attributes.push((s.name.clone(), attrs));
        }
    }
    Ok(storage_attributes)
}

/// Stateless checks of a deployment message.
pub fn validate_basic(msg: &dcloud_proto::Msg) -> Result<(), AppError> {
    use dcloud_proto::Msg;
    match msg {
        Msg::CreateDeployment(m) => {
            dep_id(&m.id)?;
            if m.hash.len() != 32 {
                return Err(DeploymentError::InvalidHash(format!(
                    "{} bytes, need 32",
                    m.hash.len()
                ))
                .into());
            }
            let groups = validate_groups(&m.groups)?;
            let (denom, _) = parse_amount(&m.deposit, "deposit")?;
            if groups[0].denom != denom {
                return Err(DeploymentError::InvalidDeposit(format!(
                    "deposit in {denom} but prices in {}",
                    groups[0].denom
                ))
                .into());
            }
            pb::Auction::try_from(m.auction)
                .map_err(|_| AppError::InvalidRequest(format!("unknown auction {}", m.auction)))?;
            parse_sources(&m.deposit_sources)?;
        }
        Msg::UpdateDeployment(m) => {
            dep_id(&m.id)?;
            if m.hash.len() != 32 {
                return Err(DeploymentError::InvalidHash(format!(
                    "{} bytes, need 32",
                    m.hash.len()
                ))
                .into());
            }
        }
        Msg::DepositDeployment(m) => {
            dep_id(&m.id)?;
            parse_amount(&m.amount, "amount")?;
            deposit_sources(m)?;
        }
        Msg::CloseDeployment(m) => {
            dep_id(&m.id)?;
        }
        Msg::CloseGroup(m) => {
            group_id(&m.id)?;
        }
        Msg::PauseGroup(m) => {
            group_id(&m.id)?;
        }
        Msg::StartGroup(m) => {
            group_id(&m.id)?;
        }
        _ => {}
    }
    Ok(())
}

/// The depositor (the signer: `depositor`, or the owner when empty) and the deposit's sources
/// in order (default: the depositor's balance).
pub(crate) fn deposit_sources(
    m: &pb::MsgDepositDeployment,
) -> Result<(AccAddress, Vec<escrow::DepositSource>), AppError> {
    let depositor = if m.depositor.is_empty() {
        dep_id(&m.id)?.0
    } else {
        m.depositor.parse().map_err(|e| AppError::InvalidAddress(format!("depositor: {e}")))?
    };
    Ok((depositor, parse_sources(&m.sources)?))
}

/// Deposit sources in order (default: the depositor's balance).
pub fn parse_sources(raw: &[i32]) -> Result<Vec<escrow::DepositSource>, AppError> {
    use dcloud_proto::dcloud::escrow::DepositSource as Pb;
    let mut sources = Vec::new();
    for s in raw {
        let src = match Pb::try_from(*s) {
            Ok(Pb::Balance) => escrow::DepositSource::Balance,
            Ok(Pb::Grant) => escrow::DepositSource::Grant,
            _ => {
                return Err(
                    DeploymentError::InvalidDeposit(format!("unknown deposit source {s}")).into()
                )
            }
        };
        if sources.contains(&src) {
            return Err(DeploymentError::InvalidDeposit(format!(
                "deposit source {s} listed twice"
            ))
            .into());
        }
        sources.push(src);
    }
    if sources.is_empty() {
        sources.push(escrow::DepositSource::Balance);
    }
    Ok(sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(price: &str, denom: &str) -> pb::ResourceUnit {
        pb::ResourceUnit {
            resources: Some(pb::Resources {
                cpu_millis: 100,
                memory_bytes: 1 << 30,
                storage: vec![pb::Storage {
                    name: "default".into(),
                    bytes: 1 << 30,
                    ..Default::default()
                }],
                ..Default::default()
            }),
            count: 2,
            price: Some(pb::DecCoin { denom: denom.into(), amount: price.into() }),
        }
    }

    fn group(name: &str, units: Vec<pb::ResourceUnit>) -> pb::GroupSpec {
        pb::GroupSpec { name: name.into(), resources: units, ..Default::default() }
    }

    #[test]
    fn a_group_prices_its_units_in_one_denom() {
        let specs = validate_groups(&[group("web", vec![unit("1.5", "uact")])]).unwrap();
        assert_eq!(specs[0].max_price_atto, 3 * ATTO);
        assert_eq!(specs[0].denom, "uact");
        let e = validate_groups(&[group("web", vec![unit("1", "uact"), unit("1", "uakt")])])
            .unwrap_err();
        assert_eq!(e.to_string(), "invalid groups: groups[0]: prices in both uact and uakt");
    }

    #[test]
    fn groups_are_checked_in_order() {
        let e = validate_groups(&[]).unwrap_err();
        assert_eq!(e.to_string(), "invalid groups: a deployment needs at least one group");
        let e = validate_groups(&[group("a", vec![unit("0", "uact")])]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid groups: groups[0].resources[0].price 0 outside (0, 10000000]"
        );
        let g = group("a", vec![unit("1", "uact")]);
        let e = validate_groups(&[g.clone(), g]).unwrap_err();
        assert_eq!(e.to_string(), "invalid groups: duplicate group name \"a\"");
    }

    #[test]
    fn addresses_name_their_field() {
        let e = parse_addr("nope", "id.owner").unwrap_err().to_string();
        assert!(e.starts_with("invalid address: id.owner: "), "{e}");
    }
}

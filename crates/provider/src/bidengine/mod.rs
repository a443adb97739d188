//! Bid decisions (sans-IO).
//!
//! [`evaluate`] answers "may we bid on this order?" the way Akash's `shouldBid` does
//! (`akash-provider.md` §2 step 3) plus the denom and capacity checks, listing every
//! reason to decline. [`decide_price`] refuses prices above the order's maximum and
//! [`bid_deposit`] picks the deposit. [`OrderTracker`] is the per-order state machine
//! the daemon feeds chain events into: it never asks for a second bid on an order and
//! says which reservations to release.

pub mod inventory;
pub mod pricing;
#[cfg(test)]
pub(crate) mod testutil;
mod tracker;

pub use tracker::{OrderAction, OrderEvent, OrderPhase, OrderTracker};

use std::collections::BTreeMap;
use std::fmt;

use dcloud_chain::deployment::GroupSpec;
use dcloud_chain::escrow::fmt_dec18;
use dcloud_chain::provider::Attribute;
use dcloud_types::{AccAddress, Coin};

use crate::bidengine::inventory::{gpu_requirements, GpuRequirement, Inventory};
use crate::OrderId;

/// An open order as the bid engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCtx {
    /// The order.
    pub id: OrderId,
    /// Its group's spec (resources, requirements, denom, max price).
    pub group: GroupSpec,
}

/// What the bid engine knows about this provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderProfile {
    /// The provider's address.
    pub owner: Option<AccAddress>,
    /// Its on-chain attributes.
    pub attributes: Vec<Attribute>,
    /// Attributes an order must require for this provider to bid (configured).
    pub bid_attributes: Vec<Attribute>,
    /// Attributes each auditor signed for this provider.
    pub audited: BTreeMap<AccAddress, Vec<Attribute>>,
    /// Accepted price denoms (empty: any).
    pub denoms: Vec<String>,
}

/// One reason not to bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclineReason {
    /// The group requires an attribute the provider does not have on chain.
    MissingAttribute {
        /// Required key.
        key: String,
        /// Required value.
        value: String,
    },
    /// The provider only bids on orders requiring this attribute, and this one does not.
    BidAttributeNotRequested {
        /// Key.
        key: String,
        /// Value.
        value: String,
    },
    /// An `allOf` auditor has not signed every attribute the group requires.
    AuditorAllOfMissing {
        /// The auditor.
        auditor: AccAddress,
    },
    /// None of the `anyOf` auditors signed every attribute the group requires.
    AuditorAnyOfMissing {
        /// The auditors.
        auditors: Vec<AccAddress>,
    },
    /// No `capabilities/gpu/...` attribute of the provider offers what a unit accepts.
    GpuNotOffered {
        /// Unit index.
        unit: usize,
        /// The unit's acceptable GPUs (`nvidia/a100 80Gi`), or `any`.
        wanted: String,
    },
    /// No GPU of the host's capacity is what a unit accepts.
    GpuNotInCapacity {
        /// Unit index.
        unit: usize,
        /// The unit's acceptable GPUs.
        wanted: String,
    },
    /// A persistent volume's class is not advertised
    /// (`capabilities/storage/<n>/class` with `persistent: true`).
    StorageClassNotOffered {
        /// Unit index.
        unit: usize,
        /// Volume name.
        volume: String,
        /// Storage class.
        class: String,
    },
    /// A persistent volume's class is offered on chain but absent from the capacity (a
    /// cluster without the mapped StorageClass, a host without that class configured).
    StorageClassNotInCapacity {
        /// Unit index.
        unit: usize,
        /// Volume name.
        volume: String,
        /// Storage class.
        class: String,
    },
    /// The order prices in a denom this provider does not accept.
    DenomNotAccepted {
        /// The order's denom.
        denom: String,
    },
    /// The inventory cannot hold the group.
    InsufficientCapacity {
        /// What is short.
        what: String,
    },
    /// Our price is above the order's maximum.
    PriceAboveMax {
        /// Our price (atto per block).
        price_atto: u128,
        /// The order's max (atto per block).
        max_atto: u128,
    },
    /// The bid deposit's denom is not one the chain accepts.
    DepositDenomNotAccepted {
        /// The configured deposit denom.
        denom: String,
    },
    /// The deployment requires a longer reclamation window than this provider offers.
    ReclamationWindowTooShort {
        /// The deployment's minimum (seconds).
        required_s: u64,
        /// What this provider offers (seconds; 0: none).
        offered_s: u64,
    },
}

impl fmt::Display for DeclineReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeclineReason::MissingAttribute { key, value } => {
                write!(f, "order requires attribute {key}={value}, which this provider lacks")
            }
            DeclineReason::BidAttributeNotRequested { key, value } => {
                write!(f, "order does not require {key}={value}, which this provider bids only on")
            }
            DeclineReason::AuditorAllOfMissing { auditor } => {
                write!(f, "auditor {auditor} (allOf) has not signed the required attributes")
            }
            DeclineReason::AuditorAnyOfMissing { auditors } => {
                let list: Vec<String> = auditors.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "none of the anyOf auditors ({}) signed the required attributes",
                    list.join(", ")
                )
            }
            DeclineReason::GpuNotOffered { unit, wanted } => {
                write!(f, "resources[{unit}] wants GPU {wanted}, not in the provider's capabilities")
            }
            DeclineReason::GpuNotInCapacity { unit, wanted } => {
                write!(f, "resources[{unit}] wants GPU {wanted}, which this host does not have")
            }
            DeclineReason::StorageClassNotOffered { unit, volume, class } => write!(
                f,
                "resources[{unit}] volume {volume:?} wants persistent storage class {class:?}, not offered"
            ),
            DeclineReason::StorageClassNotInCapacity { unit, volume, class } => write!(
                f,
                "resources[{unit}] volume {volume:?} wants persistent storage class {class:?}, \
                 not available in the cluster (no such StorageClass, or none configured)"
            ),
            DeclineReason::DenomNotAccepted { denom } => {
                write!(f, "order prices in {denom}, which this provider does not accept")
            }
            DeclineReason::InsufficientCapacity { what } => {
                write!(f, "insufficient capacity: {what}")
            }
            DeclineReason::PriceAboveMax { price_atto, max_atto } => write!(
                f,
                "our price {} is above the order's max {}",
                fmt_dec18(*price_atto),
                fmt_dec18(*max_atto)
            ),
            DeclineReason::DepositDenomNotAccepted { denom } => {
                write!(f, "bid deposit denom {denom} is not accepted by the chain")
            }
            DeclineReason::ReclamationWindowTooShort { required_s, offered_s: 0 } => write!(
                f,
                "the deployment requires a reclamation window of at least {required_s}s and \
                 this provider offers none (set reclamation_window in provider.yaml)"
            ),
            DeclineReason::ReclamationWindowTooShort { required_s, offered_s } => write!(
                f,
                "the deployment requires a reclamation window of at least {required_s}s, this \
                 provider offers {offered_s}s"
            ),
        }
    }
}

/// GPU offers parsed from `capabilities/gpu/vendor/<v>/model/<m>[/ram/<r>][/interface/<i>]`
/// attributes whose value is `true`.
fn gpu_offers(attrs: &[Attribute]) -> Vec<GpuRequirement> {
    attrs
        .iter()
        .filter(|a| a.value == "true")
        .filter_map(|a| a.key.strip_prefix("capabilities/gpu/"))
        .filter_map(GpuRequirement::parse)
        .collect()
}

/// Whether requirement `r` is satisfied by offer `o` (both in attribute form).
fn offer_satisfies(r: &GpuRequirement, o: &GpuRequirement) -> bool {
    r.vendor == o.vendor
        && (r.model == "*" || r.model == o.model)
        && r.ram.as_ref().is_none_or(|x| o.ram.as_ref().is_some_and(|y| x.eq_ignore_ascii_case(y)))
        && r.interface.as_ref().is_none_or(|x| o.interface.as_ref() == Some(x))
}

/// Persistent storage classes advertised by `capabilities/storage/<n>/{class,persistent}`.
fn persistent_classes(attrs: &[Attribute]) -> Vec<String> {
    let mut groups: BTreeMap<&str, (Option<&str>, bool)> = BTreeMap::new();
    for a in attrs {
        let Some(rest) = a.key.strip_prefix("capabilities/storage/") else { continue };
        let Some((n, field)) = rest.split_once('/') else { continue };
        let e = groups.entry(n).or_default();
        match field {
            "class" => e.0 = Some(a.value.as_str()),
            "persistent" => e.1 = a.value == "true",
            _ => {}
        }
    }
    groups
        .values()
        .filter(|(c, p)| *p && c.is_some())
        .filter_map(|(c, _)| c.map(String::from))
        .collect()
}

/// Every reason not to bid on `order` (empty `Err` never happens: `Ok` means bid).
/// Capacity is checked against `inventory` without reserving anything.
pub fn evaluate(
    order: &OrderCtx,
    provider: &ProviderProfile,
    inventory: &Inventory,
) -> Result<(), Vec<DeclineReason>> {
    let g = &order.group;
    let mut out = attribute_reasons(g, provider);
    out.extend(unit_reasons(g, provider, inventory));
    if !provider.denoms.is_empty() && !provider.denoms.contains(&g.denom) {
        out.push(DeclineReason::DenomNotAccepted { denom: g.denom.clone() });
    }
    if let Err(e) = inventory.check(&order.id, g) {
        out.push(DeclineReason::InsufficientCapacity { what: e.what });
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

/// Attribute and audit reasons: attributes the group requires that we lack, bid
/// attributes it does not request, auditors that have not signed our attributes.
fn attribute_reasons(g: &GroupSpec, provider: &ProviderProfile) -> Vec<DeclineReason> {
    let mut out = Vec::new();
    for a in &g.attributes {
        if !provider.attributes.contains(a) {
            out.push(DeclineReason::MissingAttribute {
                key: a.key.clone(),
                value: a.value.clone(),
            });
        }
    }
    for a in &provider.bid_attributes {
        if !g.attributes.contains(a) {
            out.push(DeclineReason::BidAttributeNotRequested {
                key: a.key.clone(),
                value: a.value.clone(),
            });
        }
    }
    let signed_all = |auditor: &AccAddress| {
        provider
            .audited
            .get(auditor)
            .is_some_and(|have| g.attributes.iter().all(|a| have.contains(a)))
    };
    for auditor in &g.signed_by.all_of {
        if !signed_all(auditor) {
            out.push(DeclineReason::AuditorAllOfMissing { auditor: auditor.clone() });
        }
    }
    if !g.signed_by.any_of.is_empty() && !g.signed_by.any_of.iter().any(signed_all) {
        out.push(DeclineReason::AuditorAnyOfMissing { auditors: g.signed_by.any_of.clone() });
    }
    out
}

/// Per-unit reasons: GPUs neither offered nor in capacity, persistent storage classes not
/// offered.
fn unit_reasons(
    g: &GroupSpec,
    provider: &ProviderProfile,
    inventory: &Inventory,
) -> Vec<DeclineReason> {
    let mut out = Vec::new();
    let offers = gpu_offers(&provider.attributes);
    let classes = persistent_classes(&provider.attributes);
    for (i, u) in g.resources.iter().enumerate() {
        if u.gpu_units > 0 {
            let reqs = gpu_requirements(u);
            let wanted = if reqs.is_empty() {
                "any".to_string()
            } else {
                reqs.iter().map(ToString::to_string).collect::<Vec<_>>().join(" | ")
            };
            if !reqs.is_empty()
                && !reqs.iter().any(|r| offers.iter().any(|o| offer_satisfies(r, o)))
            {
                out.push(DeclineReason::GpuNotOffered { unit: i, wanted: wanted.clone() });
            }
            let in_capacity = inventory
                .capacity()
                .gpus
                .iter()
                .any(|d| reqs.is_empty() || reqs.iter().any(|r| r.matches(d)));
            if !in_capacity {
                out.push(DeclineReason::GpuNotInCapacity { unit: i, wanted });
            }
        }
        for (name, _) in &u.storage {
            if let crate::bidengine::inventory::VolumeKind::Persistent(class) =
                crate::bidengine::inventory::VolumeKind::of(u, name)
            {
                if !classes.contains(&class) {
                    out.push(DeclineReason::StorageClassNotOffered {
                        unit: i,
                        volume: name.clone(),
                        class,
                    });
                } else if !inventory.capacity().storage.contains_key(&class) {
                    out.push(DeclineReason::StorageClassNotInCapacity {
                        unit: i,
                        volume: name.clone(),
                        class,
                    });
                }
            }
        }
    }
    out
}

/// The price to bid: ours, unless it is above the order's max.
pub fn decide_price(max_price_atto: u128, price_atto: u128) -> Result<u128, DeclineReason> {
    if price_atto > max_price_atto {
        return Err(DeclineReason::PriceAboveMax { price_atto, max_atto: max_price_atto });
    }
    Ok(price_atto)
}

/// The bid deposit: the configured one, raised to the chain's minimum for its denom
/// (`bid_min_deposits` of the market params). A denom the chain does not list is refused.
pub fn bid_deposit(configured: &Coin, chain_min: &[(String, u128)]) -> Result<Coin, DeclineReason> {
    let min = chain_min.iter().find(|(d, _)| *d == configured.denom).map(|(_, a)| *a).ok_or_else(
        || DeclineReason::DepositDenomNotAccepted { denom: configured.denom.clone() },
    )?;
    Ok(Coin::new(configured.amount.max(min), configured.denom.clone()))
}

/// The reclamation window (whole seconds, 0: none) to offer on an order whose deployment
/// requires at least `required_s`, given what this provider is configured to offer.
pub fn reclamation_window(
    required_s: Option<u64>,
    configured: std::time::Duration,
) -> Result<u64, DeclineReason> {
    let offered_s = configured.as_secs();
    match required_s {
        Some(required_s) if offered_s < required_s => {
            Err(DeclineReason::ReclamationWindowTooShort { required_s, offered_s })
        }
        _ => Ok(offered_s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bidengine::inventory::{Capacity, GpuDevice};
    use crate::bidengine::testutil::{addr, attr, group, order, unit};

    const GI: u64 = 1 << 30;

    fn inventory() -> Inventory {
        Inventory::new(
            "n",
            Capacity {
                cpu_millis: 8000,
                memory_bytes: 16 * GI,
                ephemeral_storage_bytes: 100 * GI,
                storage: [("beta2".to_string(), 100 * GI)].into_iter().collect(),
                gpus: vec![GpuDevice {
                    vendor: "nvidia".into(),
                    model: "a100".into(),
                    memory_bytes: 80 * GI,
                    interface: "sxm".into(),
                }],
                nodes: Vec::new(),
            },
        )
    }

    fn profile() -> ProviderProfile {
        ProviderProfile {
            owner: Some(addr(9)),
            attributes: vec![
                attr("region", "eu"),
                attr("capabilities/storage/1/class", "beta2"),
                attr("capabilities/storage/1/persistent", "true"),
                attr("capabilities/gpu/vendor/nvidia/model/a100", "true"),
                attr("capabilities/gpu/vendor/nvidia/model/a100/ram/80Gi", "true"),
            ],
            bid_attributes: vec![],
            audited: [(addr(5), vec![attr("region", "eu")])].into_iter().collect(),
            denoms: vec!["uact".into()],
        }
    }

    fn ctx(g: GroupSpec) -> OrderCtx {
        OrderCtx { id: order(1), group: g }
    }

    fn plain() -> GroupSpec {
        group(vec![unit(1000, GI, GI, 1)])
    }

    /// The decline reasons of `g` (panics when it would be accepted).
    fn declined(g: GroupSpec, p: &ProviderProfile) -> Vec<DeclineReason> {
        evaluate(&ctx(g), p, &inventory()).unwrap_err()
    }

    #[test]
    fn a_fitting_order_is_accepted() {
        let mut g = plain();
        g.attributes = vec![attr("region", "eu")];
        g.signed_by.all_of = vec![addr(5)];
        assert_eq!(evaluate(&ctx(g), &profile(), &inventory()), Ok(()));
    }

    #[test]
    fn missing_attribute() {
        let mut g = plain();
        g.attributes = vec![attr("region", "us")];
        let r = declined(g, &profile());
        assert_eq!(
            r,
            vec![DeclineReason::MissingAttribute { key: "region".into(), value: "us".into() }]
        );
        assert!(r[0].to_string().contains("region=us"));
    }

    #[test]
    fn bid_attribute_not_requested() {
        let mut p = profile();
        p.bid_attributes = vec![attr("host", "dcloud")];
        assert_eq!(
            declined(plain(), &p),
            vec![DeclineReason::BidAttributeNotRequested {
                key: "host".into(),
                value: "dcloud".into()
            }]
        );
        let mut p2 = p.clone();
        p2.attributes.push(attr("host", "dcloud"));
        let mut g = plain();
        g.attributes = vec![attr("host", "dcloud")];
        assert_eq!(evaluate(&ctx(g), &p2, &inventory()), Ok(()));
    }

    #[test]
    fn auditor_all_of_missing() {
        let mut g = plain();
        g.attributes = vec![attr("region", "eu")];
        g.signed_by.all_of = vec![addr(5), addr(6)];
        assert_eq!(
            declined(g, &profile()),
            vec![DeclineReason::AuditorAllOfMissing { auditor: addr(6) }]
        );
    }

    #[test]
    fn auditor_any_of_missing() {
        let mut g = plain();
        g.attributes = vec![attr("region", "eu")];
        g.signed_by.any_of = vec![addr(6), addr(7)];
        assert_eq!(
            declined(g.clone(), &profile()),
            vec![DeclineReason::AuditorAnyOfMissing { auditors: vec![addr(6), addr(7)] }]
        );
        g.signed_by.any_of.push(addr(5));
        assert_eq!(evaluate(&ctx(g), &profile(), &inventory()), Ok(()));
    }

    fn gpu_group(key: &str) -> GroupSpec {
        let mut u = unit(1000, GI, GI, 1);
        u.gpu_units = 1;
        u.gpu_attributes = vec![attr(key, "true")];
        group(vec![u])
    }

    #[test]
    fn gpu_not_offered() {
        // The host has an a100 with 80Gi but the provider does not advertise the sxm variant.
        let r = declined(gpu_group("vendor/nvidia/model/a100/interface/sxm"), &profile());
        assert_eq!(
            r,
            vec![DeclineReason::GpuNotOffered { unit: 0, wanted: "nvidia/a100 sxm".into() }]
        );
        assert_eq!(
            evaluate(
                &ctx(gpu_group("vendor/nvidia/model/a100/ram/80Gi")),
                &profile(),
                &inventory()
            ),
            Ok(())
        );
        assert_eq!(
            evaluate(&ctx(gpu_group("vendor/nvidia/model/*")), &profile(), &inventory()),
            Ok(())
        );
    }

    #[test]
    fn gpu_not_in_capacity() {
        let mut p = profile();
        p.attributes.push(attr("capabilities/gpu/vendor/nvidia/model/h100", "true"));
        let r = declined(gpu_group("vendor/nvidia/model/h100"), &p);
        assert_eq!(r[0], DeclineReason::GpuNotInCapacity { unit: 0, wanted: "nvidia/h100".into() });
    }

    #[test]
    fn storage_class_not_offered() {
        let mut u = unit(1000, GI, GI, 1);
        u.storage.push(("data".into(), GI));
        u.storage_attributes =
            vec![("data".into(), vec![attr("class", "beta3"), attr("persistent", "true")])];
        let r = declined(group(vec![u.clone()]), &profile());
        assert_eq!(
            r[0],
            DeclineReason::StorageClassNotOffered {
                unit: 0,
                volume: "data".into(),
                class: "beta3".into()
            }
        );
        u.storage_attributes =
            vec![("data".into(), vec![attr("class", "beta2"), attr("persistent", "true")])];
        assert_eq!(evaluate(&ctx(group(vec![u])), &profile(), &inventory()), Ok(()));
    }

    #[test]
    fn storage_class_offered_but_not_in_capacity() {
        let mut u = unit(1000, GI, GI, 1);
        u.storage.push(("data".into(), GI));
        u.storage_attributes =
            vec![("data".into(), vec![attr("class", "beta3"), attr("persistent", "true")])];
        let mut p = profile();
        p.attributes.push(attr("capabilities/storage/2/class", "beta3"));
        p.attributes.push(attr("capabilities/storage/2/persistent", "true"));
        let r = declined(group(vec![u]), &p);
        assert_eq!(
            r[0],
            DeclineReason::StorageClassNotInCapacity {
                unit: 0,
                volume: "data".into(),
                class: "beta3".into()
            }
        );
        assert!(r[0].to_string().contains("not available in the cluster"), "{}", r[0]);
    }

    #[test]
    fn denom_not_accepted() {
        let mut g = plain();
        g.denom = "uakt".into();
        assert_eq!(
            declined(g, &profile()),
            vec![DeclineReason::DenomNotAccepted { denom: "uakt".into() }]
        );
    }

    #[test]
    fn insufficient_capacity() {
        let r = declined(group(vec![unit(3000, GI, GI, 3)]), &profile());
        assert!(
            matches!(&r[..], [DeclineReason::InsufficientCapacity { what }] if what.contains("cpu")),
            "{r:?}"
        );
    }

    #[test]
    fn every_reason_is_listed_at_once() {
        let mut g = group(vec![unit(9000, GI, GI, 1)]);
        g.attributes = vec![attr("region", "us")];
        g.denom = "uakt".into();
        assert_eq!(declined(g, &profile()).len(), 3);
    }

    #[test]
    fn price_above_max() {
        assert_eq!(decide_price(100, 100), Ok(100));
        assert_eq!(decide_price(100, 99), Ok(99));
        let e = decide_price(100, 101).unwrap_err();
        assert_eq!(e, DeclineReason::PriceAboveMax { price_atto: 101, max_atto: 100 });
        assert!(e.to_string().contains("above the order's max"));
    }

    #[test]
    fn deposit_is_raised_to_the_chain_minimum() {
        let min = vec![("uact".to_string(), 500_000), ("uakt".to_string(), 1_000)];
        assert_eq!(bid_deposit(&Coin::new(100, "uact"), &min), Ok(Coin::new(500_000, "uact")));
        assert_eq!(bid_deposit(&Coin::new(5_000, "uakt"), &min), Ok(Coin::new(5_000, "uakt")));
        assert_eq!(
            bid_deposit(&Coin::new(5_000, "ufoo"), &min),
            Err(DeclineReason::DepositDenomNotAccepted { denom: "ufoo".into() })
        );
    }

    #[test]
    fn reclamation_window_offered_only_when_it_covers_the_deployments_minimum() {
        use std::time::Duration;
        // No requirement: offer what is configured (possibly none).
        assert_eq!(reclamation_window(None, Duration::ZERO), Ok(0));
        assert_eq!(reclamation_window(None, Duration::from_secs(7200)), Ok(7200));
        // A requirement the configured window covers (exactly or more).
        assert_eq!(reclamation_window(Some(3600), Duration::from_secs(3600)), Ok(3600));
        assert_eq!(reclamation_window(Some(3600), Duration::from_millis(7_200_900)), Ok(7200));
        // Too short, or none at all: declined, saying what to configure.
        let short = reclamation_window(Some(3600), Duration::from_secs(600)).unwrap_err();
        assert_eq!(
            short,
            DeclineReason::ReclamationWindowTooShort { required_s: 3600, offered_s: 600 }
        );
        assert!(short.to_string().contains("offers 600s"), "{short}");
        let none = reclamation_window(Some(3600), Duration::ZERO).unwrap_err();
        assert!(none.to_string().contains("set reclamation_window"), "{none}");
    }
}

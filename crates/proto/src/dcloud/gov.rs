//! `dcloud.<module>.v1.MsgUpdateParams`: a module's params replaced by governance. The params
//! travel as JSON (the module's own params shape), validated by the module on execution.

/// Modules whose params governance can update, with the type URL of their `MsgUpdateParams`.
pub const UPDATE_PARAMS_URLS: &[(&str, &str)] = &[
    ("market", "/dcloud.market.v1.MsgUpdateParams"),
    ("deployment", "/dcloud.deployment.v1.MsgUpdateParams"),
    ("escrow", "/dcloud.escrow.v1.MsgUpdateParams"),
    ("staking", "/dcloud.staking.v1.MsgUpdateParams"),
    ("mint", "/dcloud.mint.v1.MsgUpdateParams"),
    ("distribution", "/dcloud.distribution.v1.MsgUpdateParams"),
    ("bme", "/dcloud.bme.v1.MsgUpdateParams"),
    ("oracle", "/dcloud.oracle.v1.MsgUpdateParams"),
    ("gov", "/dcloud.gov.v1.MsgUpdateParams"),
    ("slashing", "/dcloud.slashing.v1.MsgUpdateParams"),
];

/// The module a `MsgUpdateParams` type URL targets, if any.
pub fn update_params_module(type_url: &str) -> Option<&'static str> {
    UPDATE_PARAMS_URLS.iter().find(|(_, u)| *u == type_url).map(|(m, _)| *m)
}

/// The type URL of a module's `MsgUpdateParams`, if it has one.
pub fn update_params_url(module: &str) -> Option<&'static str> {
    UPDATE_PARAMS_URLS.iter().find(|(m, _)| *m == module).map(|(_, u)| *u)
}

/// Replaces a module's params; only the gov module account may send it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MsgUpdateParams {
    /// The authority: the gov module account.
    #[prost(string, tag = "1")]
    pub authority: String,
    /// The complete new params, as the module's params JSON.
    #[prost(string, tag = "2")]
    pub params_json: String,
}

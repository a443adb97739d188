//! dcloud's own messages, hand-written prost structs (no protoc). Type URLs are
//! `/dcloud.<module>.v1.<Msg>`. Field numbers of provider, audit and cert follow Akash's
//! `akash.provider.v1beta3`, `akash.audit.v1beta3` and `akash.cert.v1beta3` where they exist,
//! so the shapes stay familiar.

pub mod audit;
pub mod bme;
pub mod cert;
pub mod deployment;
pub mod escrow;
pub mod gov;
pub mod market;
pub mod oracle;
pub mod provider;

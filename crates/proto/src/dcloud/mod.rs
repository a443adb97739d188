//! dcloud's own messages (deployment, market), hand-written prost structs (no protoc).
//! Type URLs are `/dcloud.<module>.v1.<Msg>`.

pub mod deployment;
pub mod market;

//! The provider daemon: configuration, the service loop that talks to the chain, the
//! tenant gateway and the ingress. It wires the bid engine ([`crate::bidengine`]) to a
//! container backend ([`crate::cluster`]); nothing below depends on it.

pub mod config;
pub mod gateway;
pub mod ingress;
pub mod service;
pub mod state;
pub mod txqueue;
pub mod watcher;

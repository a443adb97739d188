//! `provider.yaml`.

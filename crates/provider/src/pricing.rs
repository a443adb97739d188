//! Bid pricing: a per-resource table or an external script.

//! The provider module: providers register their host URI, attributes and contact info.
//!
//! State: `0x30 ‖ len ‖ owner` → Provider (JSON).
//! Messages: `MsgCreateProvider` (fails if registered), `MsgUpdateProvider` (must exist;
//! replaces host URI, attributes and info wholesale). Signer: the owner.
//! Events: `EventProviderCreated` / `EventProviderUpdated` with `owner`.

mod module;
pub mod query;
pub use module::ProviderModule;

use dcloud_proto::dcloud::provider as pb;
use dcloud_store::{StateRead, StateWrite};
use dcloud_types::{AccAddress, Event};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Most attributes a provider (or an audit record) may carry.
pub const MAX_ATTRIBUTES: usize = 64;
/// Longest attribute value, in bytes.
pub const MAX_ATTRIBUTE_VALUE_LEN: usize = 256;
/// Longest host URI, in bytes.
pub const MAX_HOST_URI_LEN: usize = 256;
/// Longest e-mail or website, in bytes.
pub const MAX_INFO_LEN: usize = 256;

/// The module name.
pub const NAME: &str = "provider";

/// A key/value attribute (`region=us-west`, `capabilities/storage/1/class=beta2`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attribute {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// Contact info of a provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    /// Contact e-mail.
    #[serde(default)]
    pub email: String,
    /// Website.
    #[serde(default)]
    pub website: String,
}

/// A registered provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// The provider's account.
    pub owner: AccAddress,
    /// `https://host[:port]` of its API.
    pub host_uri: String,
    /// Self-declared attributes, sorted by key.
    pub attributes: Vec<Attribute>,
    /// Contact info.
    #[serde(default)]
    pub info: ProviderInfo,
}

fn provider_key(owner: &AccAddress) -> Vec<u8> {
    let b = owner.as_bytes();
    let mut k = Vec::with_capacity(2 + b.len());
    k.push(0x30);
    k.push(b.len() as u8);
    k.extend_from_slice(b);
    k
}

/// Reads a provider.
pub fn get_provider(
    state: &dyn StateRead,
    owner: &AccAddress,
) -> Result<Option<Provider>, AppError> {
    match state.get(&provider_key(owner))? {
        Some(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| AppError::ChainState(format!("corrupt provider {owner}: {e}"))),
        None => Ok(None),
    }
}

/// Writes a provider.
pub fn set_provider(state: &mut dyn StateWrite, p: &Provider) -> Result<(), AppError> {
    let b = serde_json::to_vec(p).map_err(|e| AppError::InvalidRequest(e.to_string()))?;
    state.put(provider_key(&p.owner), b);
    Ok(())
}

/// Lists providers in key order, paginated.
pub fn list_providers(
    state: &dyn StateRead,
    start_after: Option<&AccAddress>,
    limit: usize,
) -> Result<Vec<Provider>, AppError> {
    let after = start_after.map(provider_key);
    state
        .prefix_range(&[0x30], after.as_deref(), limit)?
        .into_iter()
        .map(|(_, v)| {
            serde_json::from_slice(&v).map_err(|e| AppError::ChainState(format!("provider: {e}")))
        })
        .collect()
}

/// Whether `key` matches `^[a-zA-Z][\w/.-]{1,126}$` (ASCII word characters).
pub fn is_valid_attribute_key(key: &str) -> bool {
    let b = key.as_bytes();
    (2..=127).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'/' | b'.' | b'-'))
}

/// Checks a list of attributes (key syntax, non-empty values, no duplicate keys, at most
/// [`MAX_ATTRIBUTES`]) and returns them sorted by key. `err` builds the module's error.
pub fn validate_attributes(
    attrs: &[pb::Attribute],
    err: fn(String) -> AppError,
) -> Result<Vec<Attribute>, AppError> {
    if attrs.len() > MAX_ATTRIBUTES {
        return Err(err(format!("{} attributes, at most {MAX_ATTRIBUTES} allowed", attrs.len())));
    }
    let mut out: Vec<Attribute> = Vec::with_capacity(attrs.len());
    for (i, a) in attrs.iter().enumerate() {
        if !is_valid_attribute_key(&a.key) {
            return Err(err(format!(
                "attributes[{i}]: key {:?} must match ^[a-zA-Z][\\w/.-]{{1,126}}$",
                a.key
            )));
        }
        if a.value.is_empty() {
            return Err(err(format!("attributes[{i}]: value of {:?} is empty", a.key)));
        }
        if a.value.len() > MAX_ATTRIBUTE_VALUE_LEN {
            return Err(err(format!(
                "attributes[{i}]: value of {:?} is longer than {MAX_ATTRIBUTE_VALUE_LEN} bytes",
                a.key
            )));
        }
        out.push(Attribute { key: a.key.clone(), value: a.value.clone() });
    }
    out.sort();
    if let Some(w) = out.windows(2).find(|w| w[0].key == w[1].key) {
        return Err(err(format!("duplicate attribute key {:?}", w[0].key)));
    }
    Ok(out)
}

fn is_valid_hostname(h: &str) -> bool {
    if h.is_empty() || h.len() > 253 {
        return false;
    }
    h.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
    })
}

/// Checks `uri` is an absolute `https://host[:port]` URI with an empty path (no path,
/// query, fragment or user info). Host: a DNS name, IPv4 address or `[IPv6]`.
pub fn validate_host_uri(uri: &str) -> Result<(), AppError> {
    let bad = |why: &str| AppError::InvalidProviderUri(format!("{uri:?}: {why}"));
    if uri.len() > MAX_HOST_URI_LEN {
        return Err(bad(&format!("longer than {MAX_HOST_URI_LEN} bytes")));
    }
    let rest = uri.strip_prefix("https://").ok_or_else(|| {
        bad("must be an absolute https:// URI, e.g. https://provider.example.com:8443")
    })?;
    if let Some(c) = rest.find(['/', '?', '#']) {
        return Err(bad(&format!("must have an empty path, found {:?}", &rest[c..])));
    }
    if rest.contains('@') {
        return Err(bad("must not contain user info"));
    }
    let (host, port) = if let Some(r) = rest.strip_prefix('[') {
        let end = r.find(']').ok_or_else(|| bad("unterminated IPv6 address"))?;
        let ip = &r[..end];
        if ip.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(bad("invalid IPv6 address"));
        }
        let after = &r[end + 1..];
        match after.strip_prefix(':') {
            Some(p) => (ip, Some(p)),
            None if after.is_empty() => (ip, None),
            None => return Err(bad("unexpected characters after the IPv6 address")),
        }
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    if host.is_empty() {
        return Err(bad("missing host"));
    }
    if !host.contains(':') && !is_valid_hostname(host) {
        return Err(bad(&format!("invalid host {host:?}")));
    }
    if let Some(p) = port {
        match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|c| c.is_ascii_digit()) => {}
            _ => return Err(bad(&format!("invalid port {p:?} (1-65535)"))),
        }
    }
    Ok(())
}

/// Checks contact info: an e-mail `local@domain.tld` and an `http(s)://` website, each
/// optional.
pub fn validate_info(info: &pb::ProviderInfo) -> Result<ProviderInfo, AppError> {
    let bad = |why: String| AppError::InvalidProviderInfo(why);
    let email = info.email.trim();
    if !email.is_empty() {
        let ok = email.len() <= MAX_INFO_LEN
            && !email.chars().any(char::is_whitespace)
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && is_valid_hostname(domain)
                        && domain.contains('.')
                }
                None => false,
            };
        if !ok {
            return Err(bad(format!(
                "email {:?} is not an address like ops@example.com",
                info.email
            )));
        }
    }
    let website = info.website.trim();
    if !website.is_empty() {
        let rest = website.strip_prefix("https://").or_else(|| website.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
        let host = host.map(|h| h.rsplit_once(':').map_or(h, |(h, _)| h));
        let ok = website.len() <= MAX_INFO_LEN
            && !website.chars().any(char::is_whitespace)
            && host.is_some_and(is_valid_hostname);
        if !ok {
            return Err(bad(format!(
                "website {:?} is not an http(s) URL like https://example.com",
                info.website
            )));
        }
    }
    Ok(ProviderInfo { email: email.to_string(), website: website.to_string() })
}

/// A provider as a create or update message describes it, fully validated (stateless).
pub fn validate_provider_msg(
    owner: &str,
    host_uri: &str,
    attributes: &[pb::Attribute],
    info: Option<&pb::ProviderInfo>,
) -> Result<Provider, AppError> {
    let owner: AccAddress = crate::parse_addr(owner, "owner")?;
    validate_host_uri(host_uri)?;
    let attributes = validate_attributes(attributes, AppError::InvalidAttributes)?;
    let info = match info {
        Some(i) => validate_info(i)?,
        None => ProviderInfo::default(),
    };
    Ok(Provider { owner, host_uri: host_uri.to_string(), attributes, info })
}

/// Stateless checks of `MsgCreateProvider`.
pub fn validate_create(m: &pb::MsgCreateProvider) -> Result<Provider, AppError> {
    validate_provider_msg(&m.owner, &m.host_uri, &m.attributes, m.info.as_ref())
}

/// Stateless checks of `MsgUpdateProvider`.
pub fn validate_update(m: &pb::MsgUpdateProvider) -> Result<Provider, AppError> {
    validate_provider_msg(&m.owner, &m.host_uri, &m.attributes, m.info.as_ref())
}

/// Executes `MsgCreateProvider`: fails if the owner is already a provider.
pub fn deliver_create(
    state: &mut dyn StateWrite,
    m: &pb::MsgCreateProvider,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = validate_create(m)?;
    if get_provider(state, &p.owner)?.is_some() {
        return Err(AppError::ProviderExists(format!(
            "{} is already registered; use `tx provider update` to change it",
            p.owner
        )));
    }
    set_provider(state, &p)?;
    events.push(Event::new("EventProviderCreated").attr("module", NAME).attr("owner", &p.owner));
    Ok(())
}

/// Executes `MsgUpdateProvider`: the provider must exist; everything is replaced.
pub fn deliver_update(
    state: &mut dyn StateWrite,
    m: &pb::MsgUpdateProvider,
    events: &mut Vec<Event>,
) -> Result<(), AppError> {
    let p = validate_update(m)?;
    if get_provider(state, &p.owner)?.is_none() {
        return Err(AppError::ProviderNotFound(format!(
            "{} is not registered; use `tx provider create` first",
            p.owner
        )));
    }
    set_provider(state, &p)?;
    events.push(Event::new("EventProviderUpdated").attr("module", NAME).attr("owner", &p.owner));
    Ok(())
}

/// Invariants: every stored provider sits under its owner's key, its host URI and
/// attributes are valid and its attributes sorted by unique key.
pub fn check_invariants(state: &dyn StateRead) -> Result<(), AppError> {
    for (k, v) in state.prefix_range(&[0x30], None, usize::MAX)? {
        let p: Provider = serde_json::from_slice(&v)
            .map_err(|e| AppError::Invariant(format!("corrupt provider: {e}")))?;
        if k != provider_key(&p.owner) {
            return Err(AppError::Invariant(format!("provider {} under a foreign key", p.owner)));
        }
        validate_host_uri(&p.host_uri)
            .map_err(|e| AppError::Invariant(format!("provider {}: {e}", p.owner)))?;
        if p.attributes.windows(2).any(|w| w[0].key >= w[1].key)
            || p.attributes.iter().any(|a| !is_valid_attribute_key(&a.key))
        {
            return Err(AppError::Invariant(format!(
                "provider {} attributes unsorted or bad",
                p.owner
            )));
        }
    }
    Ok(())
}

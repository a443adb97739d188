//! Stateless checks of the provider messages (`MsgCreateProvider`, `MsgUpdateProvider`)
//! and of attributes, host URIs and contact info (the audit module reuses the attribute
//! checks).

use dcloud_proto::dcloud::provider as pb;
use dcloud_types::AccAddress;

use super::error::ProviderError;
use super::types::{
    Attribute, Provider, ProviderInfo, MAX_ATTRIBUTES, MAX_ATTRIBUTE_VALUE_LEN, MAX_HOST_URI_LEN,
    MAX_INFO_LEN,
};
use crate::AppError;

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
    let bad = |why: &str| AppError::from(ProviderError::InvalidUri(format!("{uri:?}: {why}")));
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
    let bad = |why: String| AppError::from(ProviderError::InvalidInfo(why));
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
    let attributes =
        validate_attributes(attributes, |s| ProviderError::InvalidAttributes(s).into())?;
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

//! YAML tree → [`Document`], collecting every error and warning on the way.

use std::collections::BTreeMap;
use std::fmt;

use crate::amount::{is_valid_denom, DecAmount, DecCoin};
use crate::error::{did_you_mean, ErrorKind, SdlError, SdlWarning};
use crate::model::*;
use crate::output::{Attribute, Protocol, SignedBy};
use crate::units::{parse_bytes, parse_cpu};
use crate::yaml::{Node, NodeKind, Pos};

/// A path into the document, e.g. `services.web.expose[0].port`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Path(Vec<Seg>);

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

impl Path {
    pub(crate) fn root() -> Self {
        Self(Vec::new())
    }

    pub(crate) fn key(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    pub(crate) fn idx(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// Builds a path from dotted keys (no escaping needed for the names used).
    pub(crate) fn of(keys: &[&str]) -> Self {
        let mut p = Self::root();
        for k in keys {
            p = p.key(k);
        }
        p
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let plain = !k.is_empty()
                        && k.chars().all(|c| c.is_ascii_alphanumeric() || "-_/".contains(c));
                    if plain {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// What to do with keys a mapping does not know.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    Warn,
    Error,
}

pub(crate) struct Decoder {
    pub(crate) errors: Vec<SdlError>,
    pub(crate) warnings: Vec<SdlWarning>,
    version: SdlVersion,
}

type Entries<'a> = &'a [(Node, Node)];

fn get<'a>(entries: Entries<'a>, key: &str) -> Option<&'a Node> {
    entries.iter().find(|(k, _)| k.scalar() == Some(key)).map(|(_, v)| v)
}

/// Position of the value under `key` in a mapping node (the node itself otherwise).
fn value_pos(node: &Node, key: &str) -> Pos {
    match &node.kind {
        NodeKind::Map(es) => get(es, key).map_or(node.pos, |n| n.pos),
        _ => node.pos,
    }
}

fn key_text(k: &Node) -> String {
    k.scalar().unwrap_or("").to_string()
}

const TOP_LEVEL: &[&str] =
    &["version", "include", "services", "profiles", "deployment", "endpoints", "reclamation"];

impl Decoder {
    fn err(
        &mut self,
        kind: ErrorKind,
        path: &Path,
        pos: Pos,
        msg: impl Into<String>,
    ) -> &mut SdlError {
        self.errors.push(SdlError::new(kind, path.to_string(), Some(pos), msg));
        let n = self.errors.len() - 1;
        &mut self.errors[n]
    }

    fn warn(&mut self, path: &Path, pos: Pos, msg: impl Into<String>, suggestion: Option<String>) {
        self.warnings.push(SdlWarning {
            path: path.to_string(),
            pos: Some(pos),
            message: msg.into(),
            suggestion,
        });
    }

    fn type_err(&mut self, node: &Node, path: &Path, expected: &str) {
        let e = self.err(
            ErrorKind::InvalidType,
            path,
            node.pos,
            format!("invalid type: found {}", node.describe()),
        );
        e.expected = Some(expected.to_string());
    }

    /// The entries of a mapping; null counts as empty; anything else is an error.
    fn map<'a>(&mut self, node: &'a Node, path: &Path) -> Entries<'a> {
        match &node.kind {
            NodeKind::Map(es) => es,
            _ if node.is_null() => &[],
            _ => {
                self.type_err(node, path, "a mapping");
                &[]
            }
        }
    }

    fn seq<'a>(&mut self, node: &'a Node, path: &Path) -> &'a [Node] {
        match &node.kind {
            NodeKind::Seq(items) => items,
            _ if node.is_null() => &[],
            _ => {
                self.type_err(node, path, "a list");
                &[]
            }
        }
    }

    /// Reports keys outside `allowed`, with a suggestion.
    fn check_keys(
        &mut self,
        entries: Entries<'_>,
        path: &Path,
        allowed: &[&str],
        policy: Unknown,
        what: &str,
    ) {
        for (k, _) in entries {
            let name = key_text(k);
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let hint = did_you_mean(&name, allowed.iter().copied());
            let p = path.key(&name);
            match policy {
                Unknown::Error => {
                    let e = self.err(ErrorKind::UnknownField, &p, k.pos, what.replace("{}", &name));
                    e.expected = Some(format!("one of: {}", allowed.join(", ")));
                    e.suggestion = hint;
                }
                Unknown::Warn => {
                    self.warn(&p, k.pos, format!("unknown field `{name}` is ignored"), hint)
                }
            }
        }
    }

    fn string(&mut self, node: &Node, path: &Path) -> Option<String> {
        match &node.kind {
            NodeKind::Scalar { .. } => node.scalar().map(str::to_string),
            _ => {
                self.type_err(node, path, "a string");
                None
            }
        }
    }

    fn opt_string(&mut self, entries: Entries<'_>, key: &str, path: &Path) -> String {
        get(entries, key).and_then(|n| self.string(n, &path.key(key))).unwrap_or_default()
    }

    fn string_list(&mut self, node: &Node, path: &Path) -> Option<Vec<String>> {
        if node.is_null() {
            return None;
        }
        let NodeKind::Seq(items) = &node.kind else {
            self.type_err(node, path, "a list of strings");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.kind {
                NodeKind::Scalar { .. } => out.push(item.scalar().unwrap_or("").to_string()),
                _ => self.type_err(item, &path.idx(i), "a string"),
            }
        }
        Some(out)
    }

    fn uint(&mut self, node: &Node, path: &Path, max: u64) -> Option<u64> {
        let text = match &node.kind {
            NodeKind::Scalar { .. } if !node.is_null() => node.scalar().unwrap_or(""),
            _ => {
                self.type_err(node, path, "a whole number");
                return None;
            }
        };
        let t = text.strip_prefix('+').unwrap_or(text);
        if t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_digit()) && t.len() > 1 {
            let e = self.err(
                ErrorKind::InvalidValue,
                path,
                node.pos,
                "invalid: negative value not allowed",
            );
            e.expected = Some(format!("a whole number from 0 to {max}"));
            return None;
        }
        match t.parse::<u64>() {
            Ok(v) if v <= max => Some(v),
            Ok(v) => {
                let e = self.err(
                    ErrorKind::InvalidValue,
                    path,
                    node.pos,
                    format!("value {v} is too large"),
                );
                e.expected = Some(format!("a whole number from 0 to {max}"));
                None
            }
            Err(_) => {
                self.type_err(node, path, "a whole number");
                None
            }
        }
    }

    fn u32_field(&mut self, entries: Entries<'_>, key: &str, path: &Path) -> Option<u32> {
        let n = get(entries, key)?;
        if n.is_null() {
            return None;
        }
        self.uint(n, &path.key(key), u64::from(u32::MAX)).and_then(|v| u32::try_from(v).ok())
    }

    fn boolean(&mut self, node: &Node, path: &Path) -> Option<bool> {
        if node.is_plain() {
            match node.scalar() {
                Some("true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON") => {
                    return Some(true)
                }
                Some("false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF") => {
                    return Some(false)
                }
                _ => {}
            }
        }
        if node.is_null() {
            return None;
        }
        self.type_err(node, path, "true or false");
        None
    }

    fn bool_field(&mut self, entries: Entries<'_>, key: &str, path: &Path) -> bool {
        get(entries, key).and_then(|n| self.boolean(n, &path.key(key))).unwrap_or(false)
    }

    /// A mapping of scalar → scalar as sorted attributes.
    fn attributes(&mut self, node: &Node, path: &Path) -> Vec<Attribute> {
        let entries = self.map(node, path);
        let mut out = Vec::new();
        for (k, v) in entries {
            let key = key_text(k);
            let value = match &v.kind {
                NodeKind::Scalar { .. } => v.scalar().unwrap_or("").to_string(),
                _ => {
                    self.type_err(v, &path.key(&key), "a string");
                    continue;
                }
            };
            out.push(Attribute { key, value });
        }
        out.sort();
        out
    }

    fn required<'a>(
        &mut self,
        entries: Entries<'a>,
        key: &str,
        path: &Path,
        at: Pos,
        what: &str,
    ) -> Option<&'a Node> {
        match get(entries, key) {
            Some(n) if !n.is_null() => Some(n),
            _ => {
                let e = self.err(
                    ErrorKind::MissingField,
                    &path.key(key),
                    at,
                    format!("missing field `{key}`"),
                );
                e.expected = Some(what.to_string());
                None
            }
        }
    }
}

/// Reads `version` from the root mapping.
fn decode_version(d: &mut Decoder, root: Entries<'_>) -> Option<SdlVersion> {
    let path = Path::of(&["version"]);
    let Some(node) = get(root, "version").filter(|n| !n.is_null()) else {
        d.errors.push(SdlError::new(
            ErrorKind::Version,
            path.to_string(),
            None,
            "SDL invalid: no version found",
        ));
        let e = d.errors.last_mut()?;
        e.expected = Some("a top-level `version: \"2.0\"` or `version: \"2.1\"`".into());
        return None;
    };
    let text = d.string(node, &path)?;
    match text.trim() {
        "2" | "2.0" | "2.0.0" | "v2.0" | "v2.0.0" => Some(SdlVersion::V2_0),
        "2.1" | "2.1.0" | "v2.1" | "v2.1.0" => Some(SdlVersion::V2_1),
        other => {
            let e = d.err(
                ErrorKind::Version,
                &path,
                node.pos,
                format!("SDL invalid: config: unsupported version {other:?}"),
            );
            e.expected = Some("\"2.0\" or \"2.1\"".into());
            None
        }
    }
}

/// Decodes a whole document. Returns the document (possibly partial) and the decoder
/// holding errors and warnings.
pub(crate) fn decode(root: &Node) -> (Document, Decoder) {
    let mut d = Decoder { errors: Vec::new(), warnings: Vec::new(), version: SdlVersion::V2_0 };
    let rp = Path::root();
    let entries: Entries<'_> = match &root.kind {
        NodeKind::Map(es) => es,
        _ => {
            let e = d.err(
                ErrorKind::InvalidType,
                &rp,
                root.pos,
                format!("SDL invalid: the document must be a mapping, found {}", root.describe()),
            );
            e.expected = Some("top-level keys version, services, profiles, deployment".into());
            &[]
        }
    };
    let version = decode_version(&mut d, entries);
    d.version = version.unwrap_or(SdlVersion::V2_0);
    for (k, _) in entries {
        let name = key_text(k);
        if !TOP_LEVEL.contains(&name.as_str()) {
            let hint = did_you_mean(&name, TOP_LEVEL.iter().copied());
            let e = d.err(
                ErrorKind::UnknownField,
                &rp.key(&name),
                k.pos,
                format!("sdl: unexpected field {name}"),
            );
            e.expected = Some(format!("one of: {}", TOP_LEVEL.join(", ")));
            e.suggestion = hint;
        }
    }
    let include = get(entries, "include")
        .and_then(|n| d.string_list(n, &Path::of(&["include"])))
        .unwrap_or_default();
    let services = match get(entries, "services") {
        Some(n) => decode_services(&mut d, n),
        None => BTreeMap::new(),
    };
    let profiles = match get(entries, "profiles") {
        Some(n) => decode_profiles(&mut d, n),
        None => Profiles::default(),
    };
    let deployment = match get(entries, "deployment") {
        Some(n) => decode_deployment(&mut d, n),
        None => BTreeMap::new(),
    };
    let endpoints = match get(entries, "endpoints") {
        Some(n) => decode_endpoints(&mut d, n),
        None => BTreeMap::new(),
    };
    let reclamation = get(entries, "reclamation").map(|n| decode_reclamation(&mut d, n));
    let doc = Document {
        version: d.version,
        include,
        services,
        profiles,
        deployment,
        endpoints,
        reclamation,
    };
    (doc, d)
}

const SERVICE_KEYS: &[&str] =
    &["image", "command", "args", "env", "expose", "dependencies", "params", "credentials"];

fn decode_services(d: &mut Decoder, node: &Node) -> BTreeMap<String, Service> {
    let path = Path::of(&["services"]);
    let mut out = BTreeMap::new();
    for (k, v) in d.map(node, &path) {
        let name = key_text(k);
        let sp = path.key(&name);
        let es = d.map(v, &sp);
        d.check_keys(es, &sp, SERVICE_KEYS, Unknown::Warn, "");
        let image = d.opt_string(es, "image", &sp);
        let command = get(es, "command").and_then(|n| d.string_list(n, &sp.key("command")));
        let args = get(es, "args").and_then(|n| d.string_list(n, &sp.key("args")));
        let env = get(es, "env").and_then(|n| d.string_list(n, &sp.key("env")));
        let expose = match get(es, "expose") {
            Some(n) => {
                let ep = sp.key("expose");
                let items = d.seq(n, &ep);
                items.iter().enumerate().map(|(i, it)| decode_expose(d, it, &ep.idx(i))).collect()
            }
            None => Vec::new(),
        };
        let mut dependencies = Vec::new();
        if let Some(n) = get(es, "dependencies") {
            let dp = sp.key("dependencies");
            for (i, item) in d.seq(n, &dp).iter().enumerate() {
                let ip = dp.idx(i);
                let des = d.map(item, &ip);
                d.check_keys(des, &ip, &["service"], Unknown::Warn, "");
                if let Some(s) = d.required(des, "service", &ip, item.pos, "the name of a service")
                {
                    if let Some(s) = d.string(s, &ip.key("service")) {
                        dependencies.push(s);
                    }
                }
            }
        }
        let params = get(es, "params")
            .filter(|n| !n.is_null())
            .map(|n| decode_params(d, n, &sp.key("params")));
        let credentials = get(es, "credentials")
            .filter(|n| !n.is_null())
            .map(|n| decode_credentials(d, n, &sp.key("credentials")));
        out.insert(
            name,
            Service {
                image,
                command,
                args,
                env,
                expose,
                dependencies,
                params,
                credentials,
                pos: k.pos,
            },
        );
    }
    out
}

const EXPOSE_KEYS: &[&str] = &["port", "as", "proto", "to", "accept", "http_options"];
const HTTP_OPTION_KEYS: &[&str] = &[
    "max_body_size",
    "read_timeout",
    "send_timeout",
    "next_tries",
    "next_timeout",
    "next_cases",
    "proxy_buffer_size",
];
const NEXT_CASES: &[&str] =
    &["error", "timeout", "500", "502", "503", "504", "403", "404", "429", "off"];

fn decode_expose(d: &mut Decoder, node: &Node, path: &Path) -> Expose {
    let es = d.map(node, path);
    d.check_keys(es, path, EXPOSE_KEYS, Unknown::Warn, "");
    let port_node = get(es, "port");
    let port_pos = port_node.map_or(node.pos, |n| n.pos);
    let port = match port_node {
        Some(n) if !n.is_null() => {
            d.uint(n, &path.key("port"), u64::from(u32::MAX)).unwrap_or(0) as u32
        }
        _ => {
            let e =
                d.err(ErrorKind::MissingField, &path.key("port"), node.pos, "missing field `port`");
            e.expected = Some("the container port, 1 to 65535".into());
            0
        }
    };
    let as_port = d.u32_field(es, "as", path).unwrap_or(0);
    let proto =
        match get(es, "proto").and_then(|n| d.string(n, &path.key("proto")).map(|s| (s, n.pos))) {
            None => Protocol::Tcp,
            Some((s, pos)) => match s.to_ascii_uppercase().as_str() {
                "" | "TCP" => Protocol::Tcp,
                "UDP" => Protocol::Udp,
                _ => {
                    let e = d.err(
                        ErrorKind::InvalidValue,
                        &path.key("proto"),
                        pos,
                        format!("unsupported service protocol {s:?}"),
                    );
                    e.expected = Some("tcp or udp".into());
                    Protocol::Tcp
                }
            },
        };
    let mut to = Vec::new();
    if let Some(n) = get(es, "to") {
        let tp = path.key("to");
        for (i, item) in d.seq(n, &tp).iter().enumerate() {
            let ip = tp.idx(i);
            let tes = d.map(item, &ip);
            d.check_keys(tes, &ip, &["service", "global", "ip", "http_options"], Unknown::Warn, "");
            if let Some((k, _)) = tes.iter().find(|(k, _)| k.scalar() == Some("http_options")) {
                d.warn(
                    &ip.key("http_options"),
                    k.pos,
                    "http_options inside `to` are ignored; set them on the expose entry",
                    None,
                );
            }
            to.push(ExposeTo {
                service: d.opt_string(tes, "service", &ip),
                global: d.bool_field(tes, "global", &ip),
                ip: d.opt_string(tes, "ip", &ip),
                pos: item.pos,
            });
        }
    }
    let accept = get(es, "accept").and_then(|n| d.string_list(n, &path.key("accept")));
    let http_options = match get(es, "http_options") {
        Some(n) => decode_http_options(d, n, &path.key("http_options")),
        None => HttpOptionsInput::default(),
    };
    Expose { port, as_port, proto, to, accept, http_options, pos: node.pos, port_pos }
}

fn decode_http_options(d: &mut Decoder, node: &Node, path: &Path) -> HttpOptionsInput {
    let es = d.map(node, path);
    d.check_keys(es, path, HTTP_OPTION_KEYS, Unknown::Warn, "");
    let limited = |d: &mut Decoder, key: &str, limit: u32, what: &str| -> Option<u32> {
        let v = d.u32_field(es, key, path)?;
        if v > limit {
            let pos = get(es, key).map_or(node.pos, |n| n.pos);
            let e = d.err(
                ErrorKind::InvalidValue,
                &path.key(key),
                pos,
                format!("http option not allowed: {what} cannot be greater than {limit}"),
            );
            e.expected = Some(format!("at most {limit}"));
        }
        Some(v)
    };
    let max_body_size = limited(d, "max_body_size", 104_857_600, "body size");
    let read_timeout = limited(d, "read_timeout", 60_000, "read timeout");
    let send_timeout = limited(d, "send_timeout", 60_000, "send timeout");
    let proxy_buffer_size = limited(d, "proxy_buffer_size", 1_048_576, "proxy buffer size");
    let next_tries = d.u32_field(es, "next_tries", path);
    let next_timeout = d.u32_field(es, "next_timeout", path);
    let next_cases = get(es, "next_cases").and_then(|n| {
        let cp = path.key("next_cases");
        let cases = d.string_list(n, &cp)?;
        let items: &[Node] = match &n.kind {
            NodeKind::Seq(items) => items,
            _ => &[],
        };
        for (i, c) in cases.iter().enumerate() {
            let pos = items.get(i).map_or(n.pos, |x| x.pos);
            if !NEXT_CASES.contains(&c.as_str()) {
                let hint = did_you_mean(c, NEXT_CASES.iter().copied());
                let e = d.err(
                    ErrorKind::InvalidValue,
                    &cp.idx(i),
                    pos,
                    format!("next case is unknown: {c:?}"),
                );
                e.expected = Some(format!("one of: {}", NEXT_CASES.join(", ")));
                e.suggestion = hint;
            } else if c == "off" && cases.len() != 1 {
                d.err(
                    ErrorKind::Conflict,
                    &cp.idx(i),
                    pos,
                    "if 'off' is specified, no other cases may be specified",
                );
            }
        }
        Some(cases)
    });
    HttpOptionsInput {
        max_body_size,
        read_timeout,
        send_timeout,
        next_tries,
        next_timeout,
        next_cases,
        proxy_buffer_size,
    }
}

const TEE_TYPES: &[&str] = &["cpu", "cpu-gpu"];
const PERMISSIONS: &[&str] = &["deployment", "logs", "events"];

fn decode_params(d: &mut Decoder, node: &Node, path: &Path) -> Params {
    let es = d.map(node, path);
    d.check_keys(es, path, &["storage", "permissions", "tee"], Unknown::Warn, "");
    let mut storage = BTreeMap::new();
    if let Some(n) = get(es, "storage") {
        let sp = path.key("storage");
        for (k, v) in d.map(n, &sp) {
            let name = key_text(k);
            let vp = sp.key(&name);
            let ves = d.map(v, &vp);
            d.check_keys(ves, &vp, &["mount", "readOnly"], Unknown::Warn, "");
            let mount = d.opt_string(ves, "mount", &vp);
            let read_only = d.bool_field(ves, "readOnly", &vp);
            storage.insert(name, StorageMount { mount, read_only, pos: k.pos });
        }
    }
    let permissions = get(es, "permissions").filter(|n| !n.is_null()).map(|n| {
        let pp = path.key("permissions");
        let pes = d.map(n, &pp);
        d.check_keys(pes, &pp, &["read"], Unknown::Warn, "");
        let read =
            get(pes, "read").and_then(|r| d.string_list(r, &pp.key("read"))).unwrap_or_default();
        for (i, r) in read.iter().enumerate() {
            if !PERMISSIONS.contains(&r.as_str()) {
                d.warn(
                    &pp.key("read").idx(i),
                    n.pos,
                    format!("permission {r:?} is not one of: {}", PERMISSIONS.join(", ")),
                    did_you_mean(r, PERMISSIONS.iter().copied()),
                );
            }
        }
        read
    });
    let tee = get(es, "tee").filter(|n| !n.is_null()).and_then(|n| {
        let tp = path.key("tee");
        let (tee_type, attestation, type_pos) = match &n.kind {
            NodeKind::Map(tes) => {
                d.check_keys(tes, &tp, &["type", "attestation"], Unknown::Warn, "");
                let t = d.required(tes, "type", &tp, n.pos, "cpu or cpu-gpu")?;
                let ty = d.string(t, &tp.key("type"))?;
                let att =
                    get(tes, "attestation").and_then(|a| d.boolean(a, &tp.key("attestation")));
                (ty, att, t.pos)
            }
            _ => (d.string(n, &tp)?, None, n.pos),
        };
        if !TEE_TYPES.contains(&tee_type.as_str()) {
            let e = d.err(
                ErrorKind::InvalidValue,
                &tp,
                type_pos,
                format!("sdl: unsupported tee type: {tee_type:?} (allowed: cpu, cpu-gpu)"),
            );
            e.expected = Some("cpu or cpu-gpu".into());
            e.suggestion = did_you_mean(&tee_type, TEE_TYPES.iter().copied());
            return None;
        }
        Some(Tee { tee_type, attestation, pos: n.pos })
    });
    Params { storage, permissions, tee }
}

fn decode_credentials(d: &mut Decoder, node: &Node, path: &Path) -> Credentials {
    let es = d.map(node, path);
    d.check_keys(es, path, &["host", "email", "username", "password"], Unknown::Warn, "");
    let mut c = Credentials {
        host: d.opt_string(es, "host", path),
        email: d.opt_string(es, "email", path),
        username: d.opt_string(es, "username", path),
        password: d.opt_string(es, "password", path),
        pos: node.pos,
    };
    if d.version == SdlVersion::V2_1 {
        for s in [&mut c.host, &mut c.email, &mut c.username, &mut c.password] {
            *s = s.trim().to_string();
        }
    }
    // Advisory rules of the Akash JSON schema: warnings, as Go accepts these.
    if !c.email.is_empty() && c.email.chars().count() < 5 {
        let pos = get(es, "email").map_or(node.pos, |n| n.pos);
        d.warn(
            &path.key("email"),
            pos,
            "e-mail is shorter than 5 characters (the Akash schema requires at least 5)",
            None,
        );
    }
    if !c.password.is_empty() && c.password.chars().count() < 6 {
        let pos = get(es, "password").map_or(node.pos, |n| n.pos);
        d.warn(
            &path.key("password"),
            pos,
            "password is shorter than 6 characters (the Akash schema requires at least 6)",
            None,
        );
    }
    c
}

fn decode_profiles(d: &mut Decoder, node: &Node) -> Profiles {
    let path = Path::of(&["profiles"]);
    let es = d.map(node, &path);
    d.check_keys(es, &path, &["compute", "placement"], Unknown::Warn, "");
    let mut compute = BTreeMap::new();
    if let Some(n) = get(es, "compute") {
        let cp = path.key("compute");
        for (k, v) in d.map(n, &cp) {
            let name = key_text(k);
            let pp = cp.key(&name);
            let pes = d.map(v, &pp);
            d.check_keys(pes, &pp, &["resources"], Unknown::Warn, "");
            if let Some(r) = d.required(pes, "resources", &pp, k.pos, "cpu, memory and storage") {
                if let Some(p) = decode_resources(d, r, &pp.key("resources"), k.pos) {
                    compute.insert(name, p);
                }
            }
        }
    }
    let mut placement = BTreeMap::new();
    if let Some(n) = get(es, "placement") {
        let pp = path.key("placement");
        for (k, v) in d.map(n, &pp) {
            let name = key_text(k);
            placement.insert(name.clone(), decode_placement(d, v, &pp.key(&name), k.pos));
        }
    }
    Profiles { compute, placement }
}

fn decode_resources(d: &mut Decoder, node: &Node, path: &Path, pos: Pos) -> Option<ComputeProfile> {
    let es = d.map(node, path);
    d.check_keys(es, path, &["cpu", "memory", "storage", "gpu"], Unknown::Warn, "");
    let errors_before = d.errors.len();

    // cpu
    let mut cpu = CpuSpec { millis: 0, attributes: Vec::new(), pos: node.pos };
    if let Some(c) = d.required(es, "cpu", path, node.pos, "cpu: { units: 0.5 }") {
        let cp = path.key("cpu");
        let ces = d.map(c, &cp);
        d.check_keys(ces, &cp, &["units", "attributes"], Unknown::Warn, "");
        if let Some(u) = d.required(ces, "units", &cp, c.pos, "CPU units, e.g. 0.5, 1 or \"500m\"")
        {
            cpu.pos = u.pos;
            if let Some(t) = d.string(u, &cp.key("units")) {
                match parse_cpu(&t) {
                    Ok(v) => cpu.millis = v,
                    Err(m) => {
                        let e = d.err(ErrorKind::InvalidValue, &cp.key("units"), u.pos, m);
                        e.expected = Some("CPU units, e.g. 0.5, 1 or \"500m\"".into());
                    }
                }
            }
        }
        if let Some(a) = get(ces, "attributes") {
            let ap = cp.key("attributes");
            let attrs = d.attributes(a, &ap);
            for at in &attrs {
                if at.key != "arch" {
                    let e = d.err(
                        ErrorKind::UnknownField,
                        &ap.key(&at.key),
                        value_pos(a, &at.key),
                        format!("unsupported cpu attribute {:?}", at.key),
                    );
                    e.expected = Some("arch".into());
                    e.suggestion = did_you_mean(&at.key, ["arch"]);
                }
            }
            cpu.attributes = attrs;
        }
    }

    // memory
    let mut memory = MemorySpec { bytes: 0, attributes: Vec::new(), pos: node.pos };
    if let Some(m) = d.required(es, "memory", path, node.pos, "memory: { size: 512Mi }") {
        let mp = path.key("memory");
        let mes = d.map(m, &mp);
        d.check_keys(mes, &mp, &["size", "attributes"], Unknown::Warn, "");
        if let Some(s) = d.required(mes, "size", &mp, m.pos, "a size such as 512Mi or 1Gi") {
            memory.pos = s.pos;
            memory.bytes = size_value(d, s, &mp.key("size")).unwrap_or(0);
        }
        if let Some(a) = get(mes, "attributes") {
            memory.attributes = d.attributes(a, &mp.key("attributes"));
        }
    }

    // storage
    let mut storage = Vec::new();
    if let Some(s) = d.required(es, "storage", path, node.pos, "storage: { size: 1Gi }") {
        let sp = path.key("storage");
        match &s.kind {
            NodeKind::Seq(items) => {
                for (i, it) in items.iter().enumerate() {
                    if let Some(v) = decode_volume(d, it, &sp.idx(i), false) {
                        storage.push(v);
                    }
                }
            }
            NodeKind::Map(_) => {
                if let Some(v) = decode_volume(d, s, &sp, true) {
                    storage.push(v);
                }
            }
            _ => d.type_err(s, &sp, "a volume mapping or a list of volumes"),
        }
        let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
        for v in &storage {
            if seen.insert(v.name.as_str(), ()).is_some() {
                let e = d.err(ErrorKind::Conflict, &sp, v.pos, "sdl: duplicated volume name");
                e.expected = Some(format!(
                    "volume name {:?} used once (an unnamed volume is called \"default\")",
                    v.name
                ));
            }
        }
        sort_volumes(&mut storage);
    }

    // gpu
    let gpu = match get(es, "gpu") {
        Some(g) if !g.is_null() => decode_gpu(d, g, &path.key("gpu")),
        _ => GpuSpec { units: 0, attributes: Vec::new(), pos: node.pos },
    };

    if d.errors.len() > errors_before {
        return None;
    }
    Some(ComputeProfile { cpu, memory, storage, gpu, pos })
}

fn size_value(d: &mut Decoder, node: &Node, path: &Path) -> Option<u64> {
    let t = d.string(node, path)?;
    match parse_bytes(&t) {
        Ok(v) => {
            if let Some(c) = v.canonical {
                d.warn(
                    path,
                    node.pos,
                    format!("size {t:?} read as {c} ({} bytes)", v.bytes),
                    Some(format!("write {c} (suffixes k M G T P E are powers of 1000, Ki Mi Gi Ti Pi Ei of 1024)")),
                );
            }
            Some(v.bytes)
        }
        Err(m) => {
            let e = d.err(ErrorKind::InvalidValue, path, node.pos, m);
            e.expected = Some(
                "a size such as 512Mi, 1Gi or 1.5G (suffixes k M G T P E, Ki Mi Gi Ti Pi Ei)"
                    .into(),
            );
            None
        }
    }
}

const STORAGE_CLASSES: &[&str] = &["default", "beta1", "beta2", "beta3", "ram"];

fn bool_text(s: &str) -> Option<&'static str> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" | "t" | "y" => Some("true"),
        "false" | "no" | "off" | "0" | "f" | "n" => Some("false"),
        _ => None,
    }
}

fn decode_volume(d: &mut Decoder, node: &Node, path: &Path, single: bool) -> Option<VolumeSpec> {
    let es = d.map(node, path);
    d.check_keys(es, path, &["name", "size", "attributes"], Unknown::Warn, "");
    let mut name = d.opt_string(es, "name", path);
    if single || name.is_empty() {
        name = "default".into();
    }
    let bytes = match d.required(es, "size", path, node.pos, "a size such as 1Gi") {
        Some(s) => size_value(d, s, &path.key("size"))?,
        None => return None,
    };
    let mut attributes = Vec::new();
    if let Some(a) = get(es, "attributes") {
        let ap = path.key("attributes");
        let raw = d.attributes(a, &ap);
        let mut persistent = "false".to_string();
        let mut class = String::new();
        for at in raw {
            match at.key.as_str() {
                "persistent" => match bool_text(&at.value) {
                    Some(b) => persistent = b.to_string(),
                    None => {
                        let e = d.err(
                            ErrorKind::InvalidValue,
                            &ap.key("persistent"),
                            value_pos(a, "persistent"),
                            "sdl: invalid value for attribute \"persistent\". expected bool",
                        );
                        e.expected = Some("true or false".into());
                    }
                },
                "class" => {
                    if STORAGE_CLASSES.contains(&at.value.as_str()) {
                        class = at.value;
                    } else {
                        let e = d.err(
                            ErrorKind::InvalidValue,
                            &ap.key("class"),
                            value_pos(a, "class"),
                            format!("sdl: invalid value for attribute class: {:?}", at.value),
                        );
                        e.expected = Some(format!("one of: {}", STORAGE_CLASSES.join(", ")));
                        e.suggestion = did_you_mean(&at.value, STORAGE_CLASSES.iter().copied());
                    }
                }
                other => {
                    let e = d.err(
                        ErrorKind::UnknownField,
                        &ap.key(other),
                        value_pos(a, other),
                        format!("sdl: unsupported storage attribute: {other}"),
                    );
                    e.expected = Some("persistent or class".into());
                    e.suggestion = did_you_mean(other, ["persistent", "class"]);
                }
            }
        }
        match class.as_str() {
            "" => {
                if persistent == "true" {
                    class = "default".into();
                }
            }
            "ram" => {
                if persistent == "true" {
                    let e = d.err(
                        ErrorKind::InvalidValue,
                        &ap.key("persistent"),
                        value_pos(a, "persistent"),
                        "sdl: ram storage class cannot be persistent",
                    );
                    e.expected = Some("persistent: false for class ram".into());
                }
            }
            _ => {
                if persistent == "false" {
                    let e = d.err(
                        ErrorKind::InvalidValue,
                        &ap.key("class"),
                        value_pos(a, "class"),
                        "sdl: ephemeral storage should not set attribute class",
                    );
                    e.expected = Some("persistent: true, or no class".into());
                }
            }
        }
        if !class.is_empty() {
            attributes.push(Attribute { key: "class".into(), value: class });
        }
        attributes.push(Attribute { key: "persistent".into(), value: persistent });
    }
    Some(VolumeSpec { name, bytes, attributes, pos: node.pos })
}

/// Akash's volume order (`v2ResourceStorageArray.sort`), reproduced exactly including
/// its quirks (it compares the `persistent` value where it means the class), with the
/// same stable insertion sort Go uses for short slices.
fn sort_volumes(v: &mut [VolumeSpec]) {
    fn less(a: &VolumeSpec, b: &VolumeSpec) -> bool {
        if a.bytes != b.bytes {
            return a.bytes < b.bytes;
        }
        let ia = a.attribute("persistent");
        let ja = b.attribute("persistent");
        match (ia, ja) {
            (None, Some(_)) => return true,
            (Some(x), Some(y)) if x < y => return true,
            (Some(_), None) => return false,
            _ => {}
        }
        if !a.persistent() {
            return true;
        }
        if !b.persistent() {
            return false;
        }
        a.name < b.name
    }
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn decode_gpu(d: &mut Decoder, node: &Node, path: &Path) -> GpuSpec {
    let es = d.map(node, path);
    d.check_keys(
        es,
        path,
        &["units", "attributes"],
        Unknown::Error,
        "sdl: unsupported field ({}) for GPU resource",
    );
    let units = match get(es, "units") {
        Some(u) if !u.is_null() => {
            let t = d.string(u, &path.key("units")).unwrap_or_default();
            match t.trim().parse::<u32>() {
                Ok(v) => v,
                Err(_) => {
                    let e = d.err(
                        ErrorKind::InvalidValue,
                        &path.key("units"),
                        u.pos,
                        format!("invalid GPU units {t:?}"),
                    );
                    e.expected = Some("a whole number of GPUs".into());
                    0
                }
            }
        }
        _ => 0,
    };
    let mut attributes = Vec::new();
    let mut had_attrs = false;
    if let Some(a) = get(es, "attributes").filter(|n| !n.is_null()) {
        had_attrs = true;
        let ap = path.key("attributes");
        let aes = d.map(a, &ap);
        d.check_keys(
            aes,
            &ap,
            &["vendor"],
            Unknown::Error,
            "sdl: unsupported attribute ({}) for GPU resource",
        );
        match get(aes, "vendor").filter(|n| !n.is_null()) {
            None => {
                let e = d.err(
                    ErrorKind::MissingField,
                    &ap.key("vendor"),
                    a.pos,
                    "sdl: invalid GPU attributes. at least one vendor must be set",
                );
                e.expected = Some("vendor: { nvidia: [ { model: a100 } ] }".into());
            }
            Some(v) => {
                let vp = ap.key("vendor");
                let ves = d.map(v, &vp);
                for (vk, _) in ves {
                    let vendor = key_text(vk);
                    if vendor != "nvidia" {
                        let e = d.err(
                            ErrorKind::InvalidValue,
                            &vp.key(&vendor),
                            vk.pos,
                            format!("sdl: unsupported GPU vendor {vendor:?}"),
                        );
                        e.expected = Some("nvidia".into());
                        e.suggestion = did_you_mean(&vendor, ["nvidia"]);
                    }
                }
                if let Some(nv) = get(ves, "nvidia") {
                    let np = vp.key("nvidia");
                    for (i, m) in d.seq(nv, &np).iter().enumerate() {
                        if let Some(key) = gpu_model_key(d, m, &np.idx(i)) {
                            if attributes.iter().any(|a: &Attribute| a.key == key) {
                                d.err(
                                    ErrorKind::Conflict,
                                    &np.idx(i),
                                    m.pos,
                                    format!(
                                        "sdl: invalid GPU attributes: attribute {key} duplicated"
                                    ),
                                );
                            }
                            attributes.push(Attribute { key, value: "true".into() });
                        }
                    }
                    if attributes.is_empty() {
                        attributes.push(Attribute {
                            key: "vendor/nvidia/model/*".into(),
                            value: "true".into(),
                        });
                    }
                }
            }
        }
        attributes.sort();
    }
    if units > 0 && !had_attrs {
        let e = d.err(
            ErrorKind::MissingField,
            &path.key("attributes"),
            node.pos,
            "sdl: GPU attributes must be present if units > 0",
        );
        e.expected = Some("attributes: { vendor: { nvidia: [ { model: a100 } ] } }".into());
    }
    GpuSpec { units, attributes, pos: node.pos }
}

fn gpu_model_key(d: &mut Decoder, node: &Node, path: &Path) -> Option<String> {
    let es = d.map(node, path);
    d.check_keys(es, path, &["model", "ram", "interface"], Unknown::Warn, "");
    let model = d.required(es, "model", path, node.pos, "a GPU model such as a100")?;
    let mut key = format!("vendor/nvidia/model/{}", d.string(model, &path.key("model"))?);
    if let Some(r) = get(es, "ram").filter(|n| !n.is_null()) {
        let bytes = size_value(d, r, &path.key("ram"))?;
        key = format!("{key}/ram/{}Gi", bytes >> 30);
    }
    if let Some(i) = get(es, "interface").filter(|n| !n.is_null()) {
        let t = d.string(i, &path.key("interface"))?;
        if t != "pcie" && t != "sxm" {
            let e = d.err(
                ErrorKind::InvalidValue,
                &path.key("interface"),
                i.pos,
                format!("sdl: invalid GPU interface {t}. expected \"pcie|sxm\""),
            );
            e.expected = Some("pcie or sxm".into());
            e.suggestion = did_you_mean(&t, ["pcie", "sxm"]);
            return None;
        }
        key = format!("{key}/interface/{t}");
    }
    Some(key)
}

/// Akash attribute key syntax (wildcard variant): a letter, then 1–126 of
/// `[A-Za-z0-9_/.-]`, optionally ending in `*`.
pub(crate) fn is_valid_attribute_key(k: &str) -> bool {
    let k = k.strip_suffix('*').unwrap_or(k);
    let b = k.as_bytes();
    (2..=127).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || b"_/.-".contains(c))
}

fn decode_placement(d: &mut Decoder, node: &Node, path: &Path, pos: Pos) -> Placement {
    let es = d.map(node, path);
    d.check_keys(es, path, &["attributes", "signedBy", "pricing"], Unknown::Warn, "");
    let mut attributes = Vec::new();
    if let Some(a) = get(es, "attributes") {
        let ap = path.key("attributes");
        attributes = d.attributes(a, &ap);
        for at in &attributes {
            if !is_valid_attribute_key(&at.key) {
                let e = d.err(
                    ErrorKind::InvalidValue,
                    &ap.key(&at.key),
                    value_pos(a, &at.key),
                    format!("invalid attribute key {:?}", at.key),
                );
                e.expected = Some(
                    "a letter followed by letters, digits, _ / . or - (2 to 127 characters)".into(),
                );
            }
        }
    }
    let mut signed_by = SignedBy::default();
    if let Some(s) = get(es, "signedBy").filter(|n| !n.is_null()) {
        let sp = path.key("signedBy");
        let ses = d.map(s, &sp);
        d.check_keys(ses, &sp, &["anyOf", "allOf"], Unknown::Warn, "");
        signed_by.any_of = get(ses, "anyOf").and_then(|n| d.string_list(n, &sp.key("anyOf")));
        signed_by.all_of = get(ses, "allOf").and_then(|n| d.string_list(n, &sp.key("allOf")));
    }
    let mut pricing = BTreeMap::new();
    if let Some(p) = get(es, "pricing") {
        let pp = path.key("pricing");
        for (k, v) in d.map(p, &pp) {
            let name = key_text(k);
            if let Some(coin) = decode_coin(d, v, &pp.key(&name)) {
                pricing.insert(name, Price { coin, pos: v.pos });
            }
        }
    }
    Placement { attributes, signed_by, pricing, pos }
}

fn decode_coin(d: &mut Decoder, node: &Node, path: &Path) -> Option<DecCoin> {
    let es = d.map(node, path);
    d.check_keys(es, path, &["denom", "amount"], Unknown::Warn, "");
    let denom_node = d.required(es, "denom", path, node.pos, "a denomination such as uakt or uact");
    let amount_node =
        d.required(es, "amount", path, node.pos, "a price per block, e.g. 1000 or 0.5");
    let denom = d.string(denom_node?, &path.key("denom"))?;
    let an = amount_node?;
    let denom_ok = is_valid_denom(&denom);
    if !denom_ok {
        let e = d.err(
            ErrorKind::InvalidValue,
            &path.key("denom"),
            denom_node.map_or(node.pos, |n| n.pos),
            format!("invalid denom: {denom:?}"),
        );
        e.expected = Some("a denomination such as uakt or uact".into());
        e.suggestion = did_you_mean(&denom, ["uakt", "uact"]);
    } else if denom != "uakt" && denom != "uact" {
        d.warn(
            &path.key("denom"),
            denom_node.map_or(node.pos, |n| n.pos),
            format!("denom {denom:?} is not uakt or uact (the Akash schema allows only those)"),
            did_you_mean(&denom, ["uakt", "uact"]),
        );
    }
    let text = d.string(an, &path.key("amount"))?;
    let amount = match text.parse::<DecAmount>() {
        Ok(a) => a,
        Err(err) => {
            let e = d.err(ErrorKind::InvalidValue, &path.key("amount"), an.pos, err.to_string());
            e.expected = Some("a positive decimal price per block, e.g. 1000 or 0.5".into());
            return None;
        }
    };
    if amount.is_zero() {
        let e = d.err(
            ErrorKind::InvalidValue,
            &path.key("amount"),
            an.pos,
            "invalid coin amount: amount is zero",
        );
        e.expected = Some("a positive price per block".into());
        return None;
    }
    denom_ok.then_some(DecCoin { denom, amount })
}

fn decode_deployment(
    d: &mut Decoder,
    node: &Node,
) -> BTreeMap<String, BTreeMap<String, ServiceDeployment>> {
    let path = Path::of(&["deployment"]);
    let mut out = BTreeMap::new();
    for (k, v) in d.map(node, &path) {
        let svc = key_text(k);
        let sp = path.key(&svc);
        let mut placements = BTreeMap::new();
        for (pk, pv) in d.map(v, &sp) {
            let pl = key_text(pk);
            let pp = sp.key(&pl);
            let es = d.map(pv, &pp);
            d.check_keys(es, &pp, &["profile", "count"], Unknown::Warn, "");
            let profile_node =
                d.required(es, "profile", &pp, pk.pos, "the name of a compute profile");
            let profile_pos = profile_node.map_or(pk.pos, |n| n.pos);
            let profile =
                profile_node.and_then(|n| d.string(n, &pp.key("profile"))).unwrap_or_default();
            let count_node = get(es, "count");
            let count_pos = count_node.map_or(pk.pos, |n| n.pos);
            let count = match count_node {
                Some(n) if !n.is_null() => {
                    d.uint(n, &pp.key("count"), u64::from(u32::MAX)).map_or(0, |v| v as u32)
                }
                _ => 0,
            };
            placements.insert(
                pl,
                ServiceDeployment { profile, count, pos: pk.pos, profile_pos, count_pos },
            );
        }
        out.insert(svc, placements);
    }
    out
}

fn decode_endpoints(d: &mut Decoder, node: &Node) -> BTreeMap<String, EndpointDecl> {
    let path = Path::of(&["endpoints"]);
    let mut out = BTreeMap::new();
    for (k, v) in d.map(node, &path) {
        let name = key_text(k);
        let ep = path.key(&name);
        let es = d.map(v, &ep);
        d.check_keys(es, &ep, &["kind"], Unknown::Warn, "");
        let kind = d.opt_string(es, "kind", &ep);
        out.insert(name, EndpointDecl { kind, pos: k.pos });
    }
    out
}

fn decode_reclamation(d: &mut Decoder, node: &Node) -> Reclamation {
    let path = Path::of(&["reclamation"]);
    let es = d.map(node, &path);
    d.check_keys(es, &path, &["min_window"], Unknown::Warn, "");
    let mw = get(es, "min_window");
    let min_window = d.opt_string(es, "min_window", &path);
    Reclamation { min_window, pos: mw.map_or(node.pos, |n| n.pos) }
}

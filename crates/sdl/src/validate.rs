//! Semantic validation of a decoded [`Document`]: the Go parser's `validate()`, the
//! on-chain `ValidateDeploymentGroups` limits and `Manifest.Validate`, all collected
//! (not stopping at the first problem) and tied to positions in the SDL.

use std::collections::{BTreeMap, BTreeSet};

use crate::amount::DecAmount;
use crate::decode::Path;
use crate::error::{did_you_mean, ErrorKind, SdlError, SdlWarning};
use crate::model::{Document, SdlVersion};
use crate::units::parse_go_duration;
use crate::yaml::Pos;

/// On-chain limits (Akash `deployment/v1beta4/validation_config.go`).
pub mod limits {
    /// Minimum millicores per unit.
    pub const UNIT_CPU_MIN: u64 = 10;
    /// Maximum millicores per unit.
    pub const UNIT_CPU_MAX: u64 = 384_000;
    /// Maximum GPUs per unit.
    pub const UNIT_GPU_MAX: u64 = 24;
    /// Minimum memory per unit (1 Mi).
    pub const UNIT_MEMORY_MIN: u64 = 1 << 20;
    /// Maximum memory per unit (2 Ti).
    pub const UNIT_MEMORY_MAX: u64 = 2 << 40;
    /// Minimum storage per volume (5 Mi).
    pub const UNIT_STORAGE_MIN: u64 = 5 << 20;
    /// Maximum storage per volume (32 Ti).
    pub const UNIT_STORAGE_MAX: u64 = 32 << 40;
    /// Maximum replicas used to scale the group totals.
    pub const UNIT_COUNT_MAX: u64 = 50;
    /// Maximum price per unit per block, in the micro denomination.
    pub const UNIT_PRICE_MAX: u64 = 10_000_000;
}

struct V<'a> {
    doc: &'a Document,
    errors: Vec<SdlError>,
    warnings: Vec<SdlWarning>,
}

impl V<'_> {
    fn err(
        &mut self,
        kind: ErrorKind,
        path: &Path,
        pos: Pos,
        msg: impl Into<String>,
    ) -> &mut SdlError {
        self.err_at(kind, path, Some(pos), msg)
    }

    fn err_at(
        &mut self,
        kind: ErrorKind,
        path: &Path,
        pos: Option<Pos>,
        msg: impl Into<String>,
    ) -> &mut SdlError {
        self.errors.push(SdlError::new(kind, path.to_string(), pos, msg));
        let n = self.errors.len() - 1;
        &mut self.errors[n]
    }
}

fn is_endpoint_name(n: &str) -> bool {
    // ^[[:lower:]]+[[:lower:]-_\d]+$
    let b = n.as_bytes();
    if b.len() < 2 || !b[0].is_ascii_lowercase() {
        return false;
    }
    b[1..].iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_')
}

/// `^[a-z]([-a-z0-9]*[a-z0-9])?$`
pub(crate) fn is_service_name(n: &str) -> bool {
    let b = n.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[b.len() - 1] != b'-'
}

/// Kubernetes `IsEnvVarName`: `[-._a-zA-Z][-._a-zA-Z0-9]*`.
fn is_env_name(n: &str) -> bool {
    let b = n.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b"-._".contains(&b[0]))
        && b.iter().all(|c| c.is_ascii_alphanumeric() || b"-._".contains(c))
}

/// DNS-1123 subdomain, at most 253 characters.
fn is_dns1123_subdomain(h: &str) -> bool {
    if h.is_empty() || h.len() > 253 {
        return false;
    }
    h.split('.').all(|label| {
        let b = label.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    })
}

/// Runs every semantic check; returns errors and extra warnings.
pub(crate) fn validate(doc: &Document) -> (Vec<SdlError>, Vec<SdlWarning>) {
    let mut v = V { doc, errors: Vec::new(), warnings: Vec::new() };
    v.reclamation();
    v.endpoints();
    v.deployments();
    v.limits_and_prices();
    v.manifest_rules();
    v.unused();
    (v.errors, v.warnings)
}

impl V<'_> {
    fn reclamation(&mut self) {
        let Some(r) = &self.doc.reclamation else { return };
        let p = Path::of(&["reclamation", "min_window"]);
        match parse_go_duration(&r.min_window) {
            Err(e) => {
                let msg =
                    format!("SDL invalid: invalid reclamation min_window {:?}: {e}", r.min_window);
                let x = self.err(ErrorKind::InvalidValue, &p, r.pos, msg);
                x.expected = Some("a duration such as 30m, 24h or 1h30m".into());
            }
            Ok(ns) if ns <= 0 => {
                let x = self.err(
                    ErrorKind::InvalidValue,
                    &p,
                    r.pos,
                    "SDL invalid: reclamation min_window must be > 0",
                );
                x.expected = Some("a positive duration such as 30m or 24h".into());
            }
            Ok(_) => {
                let single = {
                    let t = r.min_window.as_str();
                    let digits = t.trim_end_matches(['s', 'm', 'h']);
                    t.len() == digits.len() + 1
                        && !digits.is_empty()
                        && !digits.starts_with('0')
                        && digits.bytes().all(|b| b.is_ascii_digit())
                };
                if !single {
                    self.warnings.push(SdlWarning {
                        path: p.to_string(),
                        pos: Some(r.pos),
                        message: format!(
                            "min_window {:?} is a valid duration, but the Akash schema only allows one unit (e.g. 90m)",
                            r.min_window
                        ),
                        suggestion: None,
                    });
                }
            }
        }
    }

    fn endpoints(&mut self) {
        let doc = self.doc;
        for (name, ep) in &doc.endpoints {
            let p = Path::of(&["endpoints"]).key(name);
            if !is_endpoint_name(name) {
                let x = self.err(
                    ErrorKind::InvalidValue,
                    &p,
                    ep.pos,
                    format!("SDL invalid: endpoint named {name:?} is not a valid name"),
                );
                x.expected = Some(
                    "a lowercase letter followed by lowercase letters, digits, '-' or '_' (at least 2 characters)"
                        .into(),
                );
            }
            if ep.kind.is_empty() {
                let x = self.err(
                    ErrorKind::MissingField,
                    &p.key("kind"),
                    ep.pos,
                    format!("SDL invalid: endpoint named {name:?} has no kind"),
                );
                x.expected = Some("kind: ip".into());
            } else if ep.kind != "ip" {
                let x = self.err(
                    ErrorKind::InvalidValue,
                    &p.key("kind"),
                    ep.pos,
                    format!("SDL invalid: endpoint named {name:?}, unknown kind {:?}", ep.kind),
                );
                x.expected = Some("ip".into());
            }
        }
    }

    fn deployments(&mut self) {
        let doc = self.doc;
        let mut endpoints_used: BTreeSet<&str> = BTreeSet::new();
        let mut ports_used: BTreeMap<String, &str> = BTreeMap::new();
        if doc.deployment.values().all(BTreeMap::is_empty) {
            let x = self.err_at(
                ErrorKind::MissingField,
                &Path::of(&["deployment"]),
                None,
                "SDL invalid: no deployment groups: nothing is deployed",
            );
            x.expected = Some("deployment: { <service>: { <placement>: { profile: <compute profile>, count: 1 } } }".into());
        }
        for (svc_name, placements) in &doc.deployment {
            for (pl_name, sd) in placements {
                let dp = Path::of(&["deployment"]).key(svc_name).key(pl_name);
                let prefix = format!("SDL invalid: {svc_name}.{pl_name}");
                let compute = doc.profiles.compute.get(&sd.profile);
                if compute.is_none() && !sd.profile.is_empty() {
                    let hint =
                        did_you_mean(&sd.profile, doc.profiles.compute.keys().map(String::as_str));
                    let x = self.err(
                        ErrorKind::UnknownReference,
                        &dp.key("profile"),
                        sd.profile_pos,
                        format!("{prefix}: no compute profile named {}", sd.profile),
                    );
                    x.expected = Some(list_of("a compute profile", doc.profiles.compute.keys()));
                    x.suggestion = hint;
                }
                let placement = doc.profiles.placement.get(pl_name);
                match placement {
                    None => {
                        let hint = did_you_mean(
                            pl_name,
                            doc.profiles.placement.keys().map(String::as_str),
                        );
                        let x = self.err(
                            ErrorKind::UnknownReference,
                            &dp,
                            sd.pos,
                            format!("{prefix}: no placement profile named {pl_name}"),
                        );
                        x.expected =
                            Some(list_of("a placement profile", doc.profiles.placement.keys()));
                        x.suggestion = hint;
                    }
                    Some(pl) => {
                        if compute.is_some() && !pl.pricing.contains_key(&sd.profile) {
                            let x = self.err(
                                ErrorKind::MissingField,
                                &Path::of(&["profiles", "placement"])
                                    .key(pl_name)
                                    .key("pricing")
                                    .key(&sd.profile),
                                pl.pos,
                                format!("{prefix}: no pricing for profile {}", sd.profile),
                            );
                            x.expected = Some(format!(
                                "pricing: {{ {}: {{ denom: uakt, amount: 1000 }} }}",
                                sd.profile
                            ));
                        }
                    }
                }
                if sd.count == 0 {
                    let x = self.err(
                        ErrorKind::GroupLimit,
                        &dp.key("count"),
                        sd.count_pos,
                        format!(
                            "{prefix}: count is 0, so group {pl_name:?} has invalid total CPU (0)"
                        ),
                    );
                    x.expected = Some("count of at least 1".into());
                }
                let Some(svc) = doc.services.get(svc_name) else {
                    let hint = did_you_mean(svc_name, doc.services.keys().map(String::as_str));
                    let x = self.err(
                        ErrorKind::UnknownReference,
                        &Path::of(&["deployment"]).key(svc_name),
                        sd.pos,
                        format!("{prefix}: no service profile named {svc_name}"),
                    );
                    x.expected = Some(list_of("a service", doc.services.keys()));
                    x.suggestion = hint;
                    continue;
                };
                let sp = Path::of(&["services"]).key(svc_name);
                if let Some(c) = &svc.credentials {
                    for (field, val) in
                        [("host", &c.host), ("username", &c.username), ("password", &c.password)]
                    {
                        if val.trim().is_empty() {
                            let mut cap = field.to_string();
                            cap[..1].make_ascii_uppercase();
                            let x = self.err(
                                ErrorKind::MissingField,
                                &sp.key("credentials").key(field),
                                c.pos,
                                format!("{prefix}: service Credentials missing {cap}"),
                            );
                            x.expected = Some(format!("a non-empty credentials.{field}"));
                        }
                    }
                }
                // IP endpoints
                for (i, e) in svc.expose.iter().enumerate() {
                    for (j, to) in e.to.iter().enumerate() {
                        if to.ip.is_empty() {
                            continue;
                        }
                        let tp = sp.key("expose").idx(i).key("to").idx(j);
                        if !to.global {
                            let x = self.err(
                                ErrorKind::InvalidValue,
                                &tp.key("global"),
                                to.pos,
                                format!(
                                    "SDL invalid: error on {svc_name:?} if an IP is declared the directive must be declared as global"
                                ),
                            );
                            x.expected = Some("global: true next to ip".into());
                        }
                        match doc.endpoints.get(&to.ip) {
                            None => {
                                let hint =
                                    did_you_mean(&to.ip, doc.endpoints.keys().map(String::as_str));
                                let x = self.err(
                                    ErrorKind::UnknownReference,
                                    &tp.key("ip"),
                                    to.pos,
                                    format!("SDL invalid: error on service {svc_name:?} no endpoint named {:?} exists", to.ip),
                                );
                                x.expected = Some(list_of(
                                    "an endpoint declared under `endpoints`",
                                    doc.endpoints.keys(),
                                ));
                                x.suggestion = hint;
                                continue;
                            }
                            Some(ep) if ep.kind != "ip" => {
                                // Reported on the endpoint declaration itself.
                                continue;
                            }
                            Some(_) => {}
                        }
                        endpoints_used.insert(&to.ip);
                        let key = format!("{}-{}-{}", to.ip, e.as_port, e.proto.as_str());
                        if let Some(other) = ports_used.get(&key) {
                            let msg = format!(
                                "SDL invalid: IP endpoint {:?} port: {} protocol: {} specified by service {svc_name:?} already in use by {other:?}",
                                to.ip, e.port, e.proto.as_str()
                            );
                            let x = self.err(ErrorKind::Conflict, &tp.key("ip"), to.pos, msg);
                            x.expected = Some(
                                "a different `as` port or protocol per service on one IP".into(),
                            );
                        } else {
                            ports_used.insert(key, svc_name);
                        }
                    }
                }
                // storage params
                let Some(compute) = compute else { continue };
                let params = svc.params.as_ref();
                let mut mounts: BTreeMap<&str, &str> = BTreeMap::new();
                if let Some(params) = params {
                    for (vol, m) in &params.storage {
                        let mp = sp.key("params").key("storage").key(vol);
                        let Some(volume) = compute.storage.iter().find(|v| &v.name == vol) else {
                            let hint =
                                did_you_mean(vol, compute.storage.iter().map(|v| v.name.as_str()));
                            let x = self.err(
                                ErrorKind::UnknownReference,
                                &mp,
                                m.pos,
                                format!("SDL invalid: service \"{svc_name}\" references to no-existing compute volume named \"{vol}\""),
                            );
                            x.expected = Some(list_of(
                                &format!("a volume of compute profile {:?}", sd.profile),
                                compute.storage.iter().map(|v| &v.name),
                            ));
                            x.suggestion = hint;
                            continue;
                        };
                        if !m.mount.starts_with('/') {
                            let x = self.err(
                                ErrorKind::InvalidValue,
                                &mp.key("mount"),
                                m.pos,
                                format!("SDL invalid: invalid value for \"service.{svc_name}.params.{vol}.mount\" parameter. expected absolute path"),
                            );
                            x.expected = Some("an absolute path such as /var/lib/data".into());
                        } else if let Some(other) = mounts.get(m.mount.as_str()) {
                            let x = self.err(
                                ErrorKind::Conflict,
                                &mp.key("mount"),
                                m.pos,
                                format!("sdl: duplicated mount point: mount {:?} already in use by volume {other:?}", m.mount),
                            );
                            x.expected = Some("a different mount path for each volume".into());
                        } else {
                            mounts.insert(&m.mount, vol);
                        }
                        if doc.version == SdlVersion::V2_1
                            && volume.class() == Some("ram")
                            && m.read_only
                        {
                            let x = self.err(
                                ErrorKind::InvalidValue,
                                &mp.key("readOnly"),
                                m.pos,
                                format!("SDL invalid: compute.storage.{vol} has readOnly=true which is not allowed for storage class \"ram\""),
                            );
                            x.expected = Some("readOnly: false".into());
                        }
                    }
                }
                for volume in &compute.storage {
                    // A mount that is present but invalid is reported above.
                    let mounted = params.is_some_and(|p| p.storage.contains_key(&volume.name));
                    if volume.persistent() && !mounted {
                        let x = self.err(
                            ErrorKind::MissingField,
                            &sp.key("params").key("storage").key(&volume.name).key("mount"),
                            svc.pos,
                            format!(
                                "SDL invalid: compute.storage.{0} has persistent=true which requires service.{svc_name}.params.storage.{0} to have mount",
                                volume.name
                            ),
                        );
                        x.expected = Some(format!(
                            "params: {{ storage: {{ {}: {{ mount: /data }} }} }}",
                            volume.name
                        ));
                    }
                }
                // TEE
                if let Some(t) = params.and_then(|p| p.tee.as_ref()) {
                    if t.tee_type == "cpu-gpu" && compute.gpu.units == 0 {
                        let x = self.err(
                            ErrorKind::InvalidValue,
                            &sp.key("params").key("tee"),
                            t.pos,
                            "sdl: tee type requires gpu resources",
                        );
                        x.expected = Some(format!(
                            "gpu units > 0 in compute profile {:?}, or tee: cpu",
                            sd.profile
                        ));
                    }
                }
            }
        }
        // Conflicting TEE types within a placement group.
        let mut tee_by_group: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
        for (svc_name, placements) in &doc.deployment {
            let Some(t) = doc
                .services
                .get(svc_name)
                .and_then(|s| s.params.as_ref())
                .and_then(|p| p.tee.as_ref())
            else {
                continue;
            };
            for pl in placements.keys() {
                match tee_by_group.get(pl.as_str()) {
                    Some((ty, other)) if *ty != t.tee_type => {
                        let msg = format!(
                            "sdl: conflicting tee types in the same placement group: group {pl:?} has {ty:?} (service {other:?}) and {:?}",
                            t.tee_type
                        );
                        let x = self.err(
                            ErrorKind::Conflict,
                            &Path::of(&["services"]).key(svc_name).key("params").key("tee"),
                            t.pos,
                            msg,
                        );
                        x.expected = Some("one TEE type per placement group".into());
                    }
                    Some(_) => {}
                    None => {
                        tee_by_group.insert(pl, (&t.tee_type, svc_name));
                    }
                }
            }
        }
        for (name, ep) in &doc.endpoints {
            if !endpoints_used.contains(name.as_str()) && ep.kind == "ip" {
                let x = self.err(
                    ErrorKind::UnknownReference,
                    &Path::of(&["endpoints"]).key(name),
                    ep.pos,
                    format!("SDL invalid: endpoint {name:?} declared but never used"),
                );
                x.expected = Some(format!(
                    "a global expose with `ip: {name}` in a deployed service, or remove the endpoint"
                ));
            }
        }
    }

    /// Per-unit limits, group totals, prices and denominations (on-chain rules).
    fn limits_and_prices(&mut self) {
        use limits::*;
        let doc = self.doc;
        let mut checked_profiles: BTreeSet<&str> = BTreeSet::new();
        let mut checked_prices: BTreeSet<(&str, &str)> = BTreeSet::new();
        // group → (cpu, gpu, mem, per-volume storage totals)
        struct Totals {
            cpu: u128,
            gpu: u128,
            mem: u128,
            storage: u128,
            denoms: BTreeMap<String, (Path, Pos)>,
            pos: Pos,
        }
        let mut totals: BTreeMap<&str, Totals> = BTreeMap::new();
        for (svc_name, placements) in &doc.deployment {
            for (pl_name, sd) in placements {
                let Some(c) = doc.profiles.compute.get(&sd.profile) else { continue };
                let cp = Path::of(&["profiles", "compute"]).key(&sd.profile).key("resources");
                if checked_profiles.insert(&sd.profile) {
                    let cpu = u64::from(c.cpu.millis);
                    if !(UNIT_CPU_MIN..=UNIT_CPU_MAX).contains(&cpu) {
                        let x = self.err(
                            ErrorKind::GroupLimit,
                            &cp.key("cpu").key("units"),
                            c.cpu.pos,
                            format!(
                                "invalid unit CPU: {cpu} millicores is outside the on-chain limits"
                            ),
                        );
                        x.expected = Some("0.01 to 384 CPUs (10m to 384000m)".into());
                    }
                    if u64::from(c.gpu.units) > UNIT_GPU_MAX {
                        let x = self.err(
                            ErrorKind::GroupLimit,
                            &cp.key("gpu").key("units"),
                            c.gpu.pos,
                            format!(
                                "invalid unit GPU: {} is above the on-chain limit",
                                c.gpu.units
                            ),
                        );
                        x.expected = Some("at most 24 GPUs per unit".into());
                    }
                    if c.gpu.units == 0 && !c.gpu.attributes.is_empty() {
                        let x = self.err(
                            ErrorKind::GroupLimit,
                            &cp.key("gpu").key("attributes"),
                            c.gpu.pos,
                            "invalid GPU state. attributes cannot be present if units == 0",
                        );
                        x.expected = Some("gpu units > 0, or no gpu attributes".into());
                    }
                    if !(UNIT_MEMORY_MIN..=UNIT_MEMORY_MAX).contains(&c.memory.bytes) {
                        let x = self.err(
                            ErrorKind::GroupLimit,
                            &cp.key("memory").key("size"),
                            c.memory.pos,
                            format!(
                                "invalid unit memory: {} bytes is outside the on-chain limits",
                                c.memory.bytes
                            ),
                        );
                        x.expected = Some("1Mi to 2Ti".into());
                    }
                    for (i, v) in c.storage.iter().enumerate() {
                        if !(UNIT_STORAGE_MIN..=UNIT_STORAGE_MAX).contains(&v.bytes) {
                            let x = self.err(
                                ErrorKind::GroupLimit,
                                &cp.key("storage").idx(i).key("size"),
                                v.pos,
                                format!(
                                    "invalid unit storage: volume {:?} of {} bytes is outside the on-chain limits",
                                    v.name, v.bytes
                                ),
                            );
                            x.expected = Some("5Mi to 32Ti per volume".into());
                        }
                    }
                }
                let Some(pl) = doc.profiles.placement.get(pl_name) else { continue };
                let Some(price) = pl.pricing.get(&sd.profile) else { continue };
                let pp = Path::of(&["profiles", "placement"])
                    .key(pl_name)
                    .key("pricing")
                    .key(&sd.profile);
                if checked_prices.insert((pl_name, &sd.profile))
                    && price.coin.amount > DecAmount::from_integer(UNIT_PRICE_MAX)
                {
                    let x = self.err(
                        ErrorKind::GroupLimit,
                        &pp.key("amount"),
                        price.pos,
                        format!("invalid unit price: {} is above the maximum", price.coin.amount),
                    );
                    x.expected = Some(format!("at most {UNIT_PRICE_MAX} per block"));
                }
                let t = totals.entry(pl_name).or_insert_with(|| Totals {
                    cpu: 0,
                    gpu: 0,
                    mem: 0,
                    storage: 0,
                    denoms: BTreeMap::new(),
                    pos: pl.pos,
                });
                let n = u128::from(sd.count);
                t.cpu += u128::from(c.cpu.millis) * n;
                t.gpu += u128::from(c.gpu.units) * n;
                t.mem += u128::from(c.memory.bytes) * n;
                t.storage = t
                    .storage
                    .max(c.storage.iter().map(|v| u128::from(v.bytes) * n).max().unwrap_or(0));
                t.denoms.entry(price.coin.denom.clone()).or_insert((pp, price.pos));
                let _ = svc_name;
            }
        }
        let cap = u128::from(UNIT_COUNT_MAX);
        let mut group_denoms: BTreeMap<String, &str> = BTreeMap::new();
        for (g, t) in &totals {
            let gp = Path::of(&["profiles", "placement"]).key(g);
            for (what, total, max) in [
                ("CPU", t.cpu, u128::from(UNIT_CPU_MAX) * cap),
                ("GPU", t.gpu, u128::from(UNIT_GPU_MAX) * cap),
                ("memory", t.mem, u128::from(UNIT_MEMORY_MAX) * cap),
                ("storage", t.storage, u128::from(UNIT_STORAGE_MAX) * cap),
            ] {
                if total > max {
                    let x = self.err(
                        ErrorKind::GroupLimit,
                        &gp,
                        t.pos,
                        format!("group {g:?}: invalid total {what} ({total}) is above the on-chain limit"),
                    );
                    x.expected = Some(format!("at most {max}"));
                }
            }
            if t.denoms.len() > 1 {
                let (p, pos) = t.denoms.values().nth(1).cloned().unwrap_or_default();
                let x = self.err(
                    ErrorKind::Conflict,
                    &p,
                    pos,
                    format!(
                        "group {g:?}: multi-denonimation group: prices use {}",
                        t.denoms.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
                x.expected = Some("one denomination for every price of a group".into());
            }
            for (d, (p, pos)) in &t.denoms {
                if let Some((other, og)) = group_denoms.iter().next() {
                    if other != d {
                        let x = self.err(
                            ErrorKind::Conflict,
                            p,
                            *pos,
                            format!("inconsistent group denomination: group {g:?} uses {d}, group {og:?} uses {other}"),
                        );
                        x.expected = Some("the same denomination in every group".into());
                    }
                } else {
                    group_denoms.insert(d.clone(), g);
                }
            }
        }
    }

    /// `Manifest.Validate` rules, checked on the deployed services.
    fn manifest_rules(&mut self) {
        let doc = self.doc;
        let mut hosts: BTreeMap<&str, &str> = BTreeMap::new();
        let mut global = false;
        for (svc_name, placements) in &doc.deployment {
            let Some(svc) = doc.services.get(svc_name) else { continue };
            let sp = Path::of(&["services"]).key(svc_name);
            if !is_service_name(svc_name) {
                let x = self.err(
                    ErrorKind::Manifest,
                    &sp,
                    svc.pos,
                    format!("invalid manifest: service {svc_name:?} name is invalid"),
                );
                x.expected = Some(
                    "lowercase letters, digits and '-', starting with a letter (DNS label)".into(),
                );
                x.suggestion = Some(format!(
                    "try `{}`",
                    svc_name.to_ascii_lowercase().replace(['_', '.'], "-")
                ));
            }
            if svc.image.trim().is_empty() {
                let x = self.err(
                    ErrorKind::Manifest,
                    &sp.key("image"),
                    svc.pos,
                    format!("invalid manifest: service {svc_name:?} has empty image name"),
                );
                x.expected = Some("a container image such as nginx:1.27".into());
            }
            for (i, e) in svc.env.iter().flatten().enumerate() {
                let name = e.split('=').next().unwrap_or("");
                if !is_env_name(name) {
                    let x = self.err(
                        ErrorKind::Manifest,
                        &sp.key("env").idx(i),
                        svc.pos,
                        format!("invalid manifest: service {svc_name:?} defines an env. var. with an invalid name {name:?}"),
                    );
                    x.expected = Some("NAME=value with NAME made of letters, digits, '-', '.', '_' (not starting with a digit)".into());
                }
            }
            for (i, e) in svc.expose.iter().enumerate() {
                let ep = sp.key("expose").idx(i);
                if e.port == 0 || e.port > 65535 {
                    let x = self.err(
                        ErrorKind::Manifest,
                        &ep.key("port"),
                        e.port_pos,
                        format!("invalid manifest: service {svc_name:?}: port value must be 0 < value <= 65535"),
                    );
                    x.expected = Some("a port from 1 to 65535".into());
                }
                if e.as_port > 65535 {
                    let x = self.err(
                        ErrorKind::Manifest,
                        &ep.key("as"),
                        e.pos,
                        format!(
                            "invalid manifest: service {svc_name:?}: as value must be <= 65535"
                        ),
                    );
                    x.expected = Some("a port from 1 to 65535".into());
                }
                if e.to.iter().any(|t| t.global) {
                    global = true;
                }
                for (j, h) in e.accept.iter().flatten().enumerate() {
                    let hp = ep.key("accept").idx(j);
                    if !is_dns1123_subdomain(h) {
                        let x = self.err(
                            ErrorKind::Manifest,
                            &hp,
                            e.pos,
                            format!("invalid manifest: service {svc_name:?}: has invalid hostname {h:?}"),
                        );
                        x.expected = Some(
                            "a lowercase DNS name such as www.example.com (no wildcards)".into(),
                        );
                        continue;
                    }
                    // A service deployed to several placements repeats its hosts.
                    for _ in 0..placements.len() {
                        if let Some(other) = hosts.insert(h, svc_name) {
                            let x = self.err(
                                ErrorKind::Manifest,
                                &hp,
                                e.pos,
                                format!(
                                    "invalid manifest: service {svc_name:?}: hostname {h:?} is duplicated, this is not allowed (also used by {other:?})"
                                ),
                            );
                            x.expected =
                                Some("each accept host used once in the deployment".into());
                            break;
                        }
                    }
                }
                for (j, to) in e.to.iter().enumerate() {
                    if !to.service.is_empty() && !doc.services.contains_key(&to.service) {
                        self.warnings.push(SdlWarning {
                            path: ep.key("to").idx(j).key("service").to_string(),
                            pos: Some(to.pos),
                            message: format!("service {:?} is not defined", to.service),
                            suggestion: did_you_mean(
                                &to.service,
                                doc.services.keys().map(String::as_str),
                            ),
                        });
                    }
                }
            }
        }
        let all_services_exist = doc.deployment.keys().all(|s| doc.services.contains_key(s));
        if !global && all_services_exist && doc.deployment.values().any(|p| !p.is_empty()) {
            let x = self.err_at(
                ErrorKind::Manifest,
                &Path::of(&["services"]),
                None,
                "invalid manifest: zero global services",
            );
            x.expected = Some("at least one expose with `to: [ { global: true } ]`".into());
        }
    }

    /// Warnings for things defined but not used.
    fn unused(&mut self) {
        let doc = self.doc;
        let used: BTreeSet<&str> =
            doc.deployment.values().flat_map(|p| p.values().map(|d| d.profile.as_str())).collect();
        for (name, c) in &doc.profiles.compute {
            if !used.contains(name.as_str()) {
                self.warnings.push(SdlWarning {
                    path: Path::of(&["profiles", "compute"]).key(name).to_string(),
                    pos: Some(c.pos),
                    message: format!("compute profile {name:?} is not used by any deployment"),
                    suggestion: None,
                });
            }
        }
        for (name, p) in &doc.profiles.placement {
            if !doc.deployment.values().any(|d| d.contains_key(name)) {
                self.warnings.push(SdlWarning {
                    path: Path::of(&["profiles", "placement"]).key(name).to_string(),
                    pos: Some(p.pos),
                    message: format!("placement profile {name:?} is not used by any deployment"),
                    suggestion: None,
                });
            }
        }
        for (name, s) in &doc.services {
            if !doc.deployment.contains_key(name) {
                self.warnings.push(SdlWarning {
                    path: Path::of(&["services"]).key(name).to_string(),
                    pos: Some(s.pos),
                    message: format!(
                        "service {name:?} is not deployed (no entry under `deployment`)"
                    ),
                    suggestion: None,
                });
            }
            for (i, dep) in s.dependencies.iter().enumerate() {
                if !doc.services.contains_key(dep) {
                    self.warnings.push(SdlWarning {
                        path: Path::of(&["services"])
                            .key(name)
                            .key("dependencies")
                            .idx(i)
                            .to_string(),
                        pos: Some(s.pos),
                        message: format!("dependency {dep:?} is not a defined service"),
                        suggestion: did_you_mean(dep, doc.services.keys().map(String::as_str)),
                    });
                }
            }
        }
    }
}

fn list_of<'a>(what: &str, names: impl IntoIterator<Item = &'a String>) -> String {
    let v: Vec<&str> = names.into_iter().map(String::as_str).collect();
    if v.is_empty() {
        format!("{what} (none defined)")
    } else {
        format!("{what}: one of {}", v.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_endpoint_name("endpoint-http"));
        assert!(is_endpoint_name("ab"));
        assert!(!is_endpoint_name("a"));
        assert!(!is_endpoint_name("Invalid-Name"));
        assert!(!is_endpoint_name("1ab"));
        assert!(is_service_name("web"));
        assert!(is_service_name("tee-gpu-app"));
        assert!(!is_service_name("Web"));
        assert!(!is_service_name("web-"));
        assert!(!is_service_name("my_app"));
        assert!(is_env_name("NODE_ENV"));
        assert!(is_env_name("_x.y-z"));
        assert!(!is_env_name("1X"));
        assert!(!is_env_name(""));
        assert!(is_dns1123_subdomain("www.example.com"));
        assert!(!is_dns1123_subdomain("*.example.com"));
        assert!(!is_dns1123_subdomain("Example.com"));
    }
}

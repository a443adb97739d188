//! Bid pricing: a per-resource table or an external script.
//!
//! Prices are per block in atto-units of the order's denom (micro-units × 10¹⁸, the
//! chain's 18-decimal fixed point). No floats anywhere.
//!
//! * [`PriceTable`] is Akash's `scale` strategy (`akash-provider.md` §3):
//!   `Σ_units count × (cpu_millis × cpu + mem/MiB × memory + Σ_vol size/MiB ×
//!   storage[class] + gpu_units × gpu[model]) + Σ_units endpoints × endpoint +
//!   leased_ips × ip`, computed exactly and rounded **up** to a whole atto-unit.
//!   The storage class of a volume is `ephemeral` unless it is persistent, then its class
//!   (`ram` volumes are ephemeral here, as in Akash). A GPU is priced at the highest
//!   table price among the models its unit accepts (the configured default for a model
//!   without a price; for a wildcard model, the highest of all GPU prices; for no
//!   attributes, the default). Akash's `scale` does not price GPUs at all.
//! * [`ScriptPricing`] is Akash's `shellScript` strategy: the program gets the order as
//!   JSON on stdin and `AKASH_OWNER` / `AKASH_DENOM` in its environment, and prints one
//!   decimal number (micro-units per block).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use dcloud_chain::deployment::{GroupSpec, ResourceUnit};
use dcloud_chain::escrow::{fmt_dec18, parse_dec18};
use dcloud_types::AccAddress;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

use crate::bidengine::inventory::{gpu_requirements, VolumeKind};

/// One MiB.
const MIB: u128 = 1 << 20;

/// Why no price was produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// A volume's storage class has no price in the table.
    #[error("no pricing configured for storage class {0:?}")]
    NoStorageClassPrice(String),
    /// GPUs were asked for but the table prices none of the acceptable models.
    #[error("no pricing configured for GPU model {0:?}")]
    NoGpuPrice(String),
    /// The computation produced zero.
    #[error("a bid of zero was produced")]
    Zero,
    /// The computation overflowed.
    #[error("price computation overflowed")]
    Overflow,
    /// The pricing script could not be run.
    #[error("pricing script {path}: {reason}")]
    ScriptFailed {
        /// Script path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The pricing script ran past its timeout (it was killed).
    #[error("pricing script {path} timed out after {timeout:?}")]
    ScriptTimeout {
        /// Script path.
        path: String,
        /// The limit.
        timeout: Duration,
    },
    /// The script's output is not one non-negative decimal number.
    #[error("pricing script printed {output:?}: {reason}")]
    InvalidOutput {
        /// What it printed (trimmed, at most 200 characters).
        output: String,
        /// Why it is not a price.
        reason: String,
    },
    /// The script printed a negative number.
    #[error("pricing script printed a negative price {0}")]
    Negative(String),
}

/// Akash's `scale` strategy. Every scale is in atto-units (of whatever denom the order
/// uses) per unit of resource per block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceTable {
    /// Per CPU millicore.
    pub cpu_atto: u128,
    /// Per MiB of memory.
    pub memory_atto: u128,
    /// Per MiB of storage, by class (`ephemeral` for non-persistent volumes).
    pub storage_atto: BTreeMap<String, u128>,
    /// Per GPU, by model (lowercase).
    pub gpu_models_atto: BTreeMap<String, u128>,
    /// Per GPU of a model without its own price (and for wildcard requests).
    pub gpu_default_atto: Option<u128>,
    /// Per endpoint (not multiplied by replicas).
    pub endpoint_atto: u128,
    /// Per leased IP (not multiplied by replicas).
    pub ip_atto: u128,
}

impl PriceTable {
    /// The price of one GPU of `unit`: the highest price among the models it accepts.
    fn gpu_price(&self, unit: &ResourceUnit) -> Result<u128, PricingError> {
        let reqs = gpu_requirements(unit);
        if reqs.is_empty() || reqs.iter().any(|r| r.model == "*") {
            let all = self.gpu_models_atto.values().copied().chain(self.gpu_default_atto);
            return match (self.gpu_default_atto, reqs.is_empty()) {
                (Some(d), true) => Ok(d),
                _ => all.max().ok_or_else(|| PricingError::NoGpuPrice("*".into())),
            };
        }
        let mut best = 0u128;
        for r in &reqs {
            let p = self
                .gpu_models_atto
                .get(&r.model)
                .copied()
                .or(self.gpu_default_atto)
                .ok_or_else(|| PricingError::NoGpuPrice(r.model.clone()))?;
            best = best.max(p);
        }
        Ok(best)
    }

    /// Prices `group`: see the module docs for the formula.
    pub fn price(&self, group: &GroupSpec) -> Result<u128, PricingError> {
        let add = |a: u128, b: u128| a.checked_add(b).ok_or(PricingError::Overflow);
        let mul = |a: u128, b: u128| a.checked_mul(b).ok_or(PricingError::Overflow);
        // Everything is summed in atto × MiB, then divided once.
        let mut total: u128 = 0;
        for u in &group.resources {
            let mut per = mul(mul(u128::from(u.cpu_millis), self.cpu_atto)?, MIB)?;
            per = add(per, mul(u128::from(u.memory_bytes), self.memory_atto)?)?;
            for (name, bytes) in &u.storage {
                let class = match VolumeKind::of(u, name) {
                    VolumeKind::Persistent(c) => c,
                    VolumeKind::Ephemeral | VolumeKind::Ram => "ephemeral".to_string(),
                };
                let scale = *self
                    .storage_atto
                    .get(&class)
                    .ok_or(PricingError::NoStorageClassPrice(class.clone()))?;
                per = add(per, mul(u128::from(*bytes), scale)?)?;
            }
            if u.gpu_units > 0 {
                per = add(per, mul(mul(u128::from(u.gpu_units), self.gpu_price(u)?)?, MIB)?)?;
            }
            total = add(total, mul(per, u128::from(u.count))?)?;
            total = add(total, mul(mul(u128::from(u.endpoints), self.endpoint_atto)?, MIB)?)?;
            total = add(total, mul(mul(u128::from(u.ip_endpoints), self.ip_atto)?, MIB)?)?;
        }
        let price = total.div_ceil(MIB);
        if price == 0 {
            return Err(PricingError::Zero);
        }
        Ok(price)
    }
}

/// Akash's `shellScript` strategy.
#[derive(Debug, Clone)]
pub struct ScriptPricing {
    /// The program (run directly; make it executable, with a `#!` line).
    pub path: PathBuf,
    /// Kill it after this long.
    pub timeout: Duration,
    limit: Arc<Semaphore>,
}

impl ScriptPricing {
    /// A script strategy running at most `process_limit` (≥ 1) scripts at once.
    pub fn new(path: impl Into<PathBuf>, timeout: Duration, process_limit: usize) -> Self {
        Self { path: path.into(), timeout, limit: Arc::new(Semaphore::new(process_limit.max(1))) }
    }

    /// Runs the script for `group` and parses its answer (micro-units per block).
    pub async fn price(
        &self,
        owner: &AccAddress,
        group: &GroupSpec,
        denom: &str,
    ) -> Result<u128, PricingError> {
        let path = self.path.display().to_string();
        let failed = |reason: String| PricingError::ScriptFailed { path: path.clone(), reason };
        let input = serde_json::to_vec(&script_input(group, denom))
            .map_err(|e| failed(format!("encoding input: {e}")))?;
        let _permit =
            self.limit.acquire().await.map_err(|_| failed("process limit closed".into()))?;
        let mut attempt = 0;
        let mut child = loop {
            let spawned = tokio::process::Command::new(&self.path)
                .env("AKASH_OWNER", owner.to_string())
                .env("AKASH_DENOM", denom)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn();
            match spawned {
                Ok(c) => break c,
                // ETXTBSY: the script was just written and another thread's fork still
                // holds it open for writing; retry briefly.
                Err(e) if e.raw_os_error() == Some(26) && attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => return Err(failed(format!("cannot start: {e}"))),
            }
        };
        let mut stdin = child.stdin.take();
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        let run = async {
            if let Some(mut w) = stdin.take() {
                // A script that does not read its input closes the pipe: not an error.
                let _ = w.write_all(&input).await;
                drop(w);
            }
            let mut out = Vec::new();
            let mut err = Vec::new();
            let read_out = async {
                if let Some(r) = stdout.as_mut() {
                    let _ = r.take(64 * 1024).read_to_end(&mut out).await;
                }
            };
            let read_err = async {
                if let Some(r) = stderr.as_mut() {
                    let _ = r.take(64 * 1024).read_to_end(&mut err).await;
                }
            };
            tokio::join!(read_out, read_err);
            let status = child.wait().await;
            (status, out, err)
        };
        let (status, out, err) = match tokio::time::timeout(self.timeout, run).await {
            Ok(r) => r,
            Err(_) => {
                return Err(PricingError::ScriptTimeout { path, timeout: self.timeout });
            }
        };
        let status = status.map_err(|e| failed(format!("waiting: {e}")))?;
        if !status.success() {
            let text = String::from_utf8_lossy(&err);
            let text = text.trim();
            let start = text.char_indices().rev().nth(299).map_or(0, |(i, _)| i);
            let tail = &text[start..];
            return Err(failed(format!("exited with {status}: {tail}")));
        }
        parse_script_output(&String::from_utf8_lossy(&out))
    }
}

/// Parses what a pricing script printed: one decimal number of micro-units (up to 18
/// decimals, surrounding whitespace ignored) → atto-units. Empty, malformed, zero and
/// negative answers are errors.
pub fn parse_script_output(out: &str) -> Result<u128, PricingError> {
    let s = out.trim();
    let shown: String = s.chars().take(200).collect();
    if s.is_empty() {
        return Err(PricingError::InvalidOutput { output: shown, reason: "empty output".into() });
    }
    if let Some(rest) = s.strip_prefix('-') {
        if parse_dec18(rest).is_ok_and(|v| v > 0) {
            return Err(PricingError::Negative(shown));
        }
    }
    let v = parse_dec18(s.strip_prefix('+').unwrap_or(s))
        .map_err(|e| PricingError::InvalidOutput { output: shown, reason: e })?;
    if v == 0 {
        return Err(PricingError::Zero);
    }
    Ok(v)
}

/// The JSON a pricing script reads on stdin (Akash's shape, `akash-provider.md` §3).
pub fn script_input(group: &GroupSpec, denom: &str) -> serde_json::Value {
    let resources: Vec<serde_json::Value> = group
        .resources
        .iter()
        .map(|u| {
            let mut vendors = serde_json::Map::new();
            for r in gpu_requirements(u) {
                let mut m = serde_json::Map::new();
                m.insert("model".into(), r.model.clone().into());
                if let Some(ram) = &r.ram {
                    m.insert("ram".into(), ram.clone().into());
                }
                if let Some(i) = &r.interface {
                    m.insert("interface".into(), i.clone().into());
                }
                // One model per vendor: the last one wins (Akash's quirk).
                vendors.insert(r.vendor.clone(), m.into());
            }
            let attributes =
                if vendors.is_empty() { json!({}) } else { json!({ "vendor": vendors }) };
            let storage: Vec<serde_json::Value> = u
                .storage
                .iter()
                .map(|(name, bytes)| {
                    let class = u
                        .volume_attributes(name)
                        .iter()
                        .find(|a| a.key == "class")
                        .map_or("ephemeral", |a| a.value.as_str());
                    json!({ "class": class, "size": bytes })
                })
                .collect();
            json!({
                "memory": u.memory_bytes,
                "cpu": u.cpu_millis,
                "gpu": { "units": u.gpu_units, "attributes": attributes },
                "storage": storage,
                "count": u.count,
                "endpoint_quantity": u.endpoints,
                "ip_lease_quantity": u.ip_endpoints,
            })
        })
        .collect();
    json!({
        "resources": resources,
        "price": { "denom": denom, "amount": fmt_dec18(group.max_price_atto) },
        "price_precision": 6,
    })
}

/// The configured strategy.
#[derive(Debug, Clone)]
pub enum Pricing {
    /// Per-resource table (`scale`).
    Table(PriceTable),
    /// External program (`shellScript`).
    Script(ScriptPricing),
}

impl Pricing {
    /// The price of `group` for `owner` in `denom`, atto-units per block.
    pub async fn price(
        &self,
        owner: &AccAddress,
        group: &GroupSpec,
        denom: &str,
    ) -> Result<u128, PricingError> {
        match self {
            Pricing::Table(t) => t.price(group),
            Pricing::Script(s) => s.price(owner, group, denom).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::time::Instant;

    use super::*;
    use crate::bidengine::testutil::{addr, attr, group, unit};

    const ATTO: u128 = dcloud_chain::escrow::ATTO;
    const GI: u64 = 1 << 30;

    fn d(s: &str) -> u128 {
        parse_dec18(s).unwrap()
    }

    fn table() -> PriceTable {
        let mut storage = BTreeMap::new();
        storage.insert("ephemeral".to_string(), d("0.00005"));
        storage.insert("beta2".to_string(), d("0.0002"));
        let mut gpus = BTreeMap::new();
        gpus.insert("a100".to_string(), d("600"));
        gpus.insert("h100".to_string(), d("900"));
        PriceTable {
            cpu_atto: d("0.004"),
            memory_atto: d("0.002"),
            storage_atto: storage,
            gpu_models_atto: gpus,
            gpu_default_atto: Some(d("450")),
            endpoint_atto: d("0.05"),
            ip_atto: d("10"),
        }
    }

    #[test]
    fn table_price_multiplies_replicas_but_not_endpoints() {
        // Per replica: 500 × 0.004 + 512 × 0.002 + 1024 × 0.00005 = 2 + 1.024 + 0.0512;
        // × 2 replicas = 6.1504; + 1 endpoint × 0.05 = 6.2004.
        let g = group(vec![unit(500, 512 << 20, GI, 2)]);
        assert_eq!(table().price(&g).unwrap(), d("6.2004"));
    }

    #[test]
    fn table_price_of_storage_classes_gpus_and_leased_ips() {
        let mut u = unit(1000, GI, GI, 1);
        u.storage.push(("data".into(), 10 * GI));
        u.storage_attributes =
            vec![("data".into(), vec![attr("class", "beta2"), attr("persistent", "true")])];
        u.gpu_units = 1;
        u.gpu_attributes = vec![attr("vendor/nvidia/model/a100", "true")];
        u.endpoints = 2;
        u.ip_endpoints = 1;
        // 4 + 2.048 + 0.0512 (ephemeral 1Gi) + 2.048 (beta2 10Gi) + 600 (a100)
        // + 2 × 0.05 + 10 = 618.2472
        assert_eq!(table().price(&group(vec![u.clone()])).unwrap(), d("618.2472"));
        // Two acceptable models: the dearer one; a model without a price: the default;
        // a wildcard: the highest GPU price.
        u.gpu_attributes = vec![
            attr("vendor/nvidia/model/a100", "true"),
            attr("vendor/nvidia/model/h100", "true"),
        ];
        assert_eq!(table().price(&group(vec![u.clone()])).unwrap(), d("918.2472"));
        u.gpu_attributes = vec![attr("vendor/nvidia/model/t4", "true")];
        assert_eq!(table().price(&group(vec![u.clone()])).unwrap(), d("468.2472"));
        u.gpu_attributes = vec![attr("vendor/nvidia/model/*", "true")];
        assert_eq!(table().price(&group(vec![u.clone()])).unwrap(), d("918.2472"));
        let mut t = table();
        t.gpu_default_atto = None;
        u.gpu_attributes = vec![attr("vendor/nvidia/model/t4", "true")];
        assert_eq!(t.price(&group(vec![u])).unwrap_err(), PricingError::NoGpuPrice("t4".into()));
    }

    #[test]
    fn table_price_rounds_up_once_to_a_whole_atto() {
        let t = PriceTable {
            memory_atto: 1,
            storage_atto: [("ephemeral".to_string(), 0)].into_iter().collect(),
            ..PriceTable::default()
        };
        // 1.5 MiB × 1 atto/MiB × 3 replicas = 4.5 atto → 5 (not 3 × 2 = 6).
        let g = group(vec![unit(10, 3 << 19, GI, 3)]);
        assert_eq!(t.price(&g).unwrap(), 5);
        assert_eq!(t.price(&group(vec![unit(10, 1 << 20, GI, 3)])).unwrap(), 3);
    }

    #[test]
    fn table_price_errors() {
        let mut u = unit(100, GI, GI, 1);
        u.storage_attributes =
            vec![("default".into(), vec![attr("class", "beta3"), attr("persistent", "true")])];
        assert_eq!(
            table().price(&group(vec![u])).unwrap_err(),
            PricingError::NoStorageClassPrice("beta3".into())
        );
        let zero = PriceTable {
            storage_atto: [("ephemeral".to_string(), 0)].into_iter().collect(),
            ..PriceTable::default()
        };
        assert_eq!(zero.price(&group(vec![unit(100, GI, GI, 1)])).unwrap_err(), PricingError::Zero);
        let huge = PriceTable { cpu_atto: u128::MAX / 2, ..table() };
        assert_eq!(
            huge.price(&group(vec![unit(100, GI, GI, 1)])).unwrap_err(),
            PricingError::Overflow
        );
    }

    #[test]
    fn script_input_has_akash_shape() {
        let mut u = unit(500, 512 << 20, GI, 1);
        u.storage.push(("data".into(), 10 * GI));
        u.storage_attributes =
            vec![("data".into(), vec![attr("class", "beta3"), attr("persistent", "true")])];
        u.gpu_units = 1;
        u.gpu_attributes = vec![attr("vendor/nvidia/model/a100/ram/80Gi/interface/sxm", "true")];
        u.ip_endpoints = 0;
        let g = group(vec![u]);
        let v = script_input(&g, "uakt");
        let want = serde_json::json!({"resources":[{"memory":536870912u64,"cpu":500,
            "gpu":{"units":1,"attributes":{"vendor":{"nvidia":{"model":"a100","ram":"80Gi","interface":"sxm"}}}},
            "storage":[{"class":"ephemeral","size":1073741824u64},{"class":"beta3","size":10737418240u64}],
            "count":1,"endpoint_quantity":1,"ip_lease_quantity":0}],
            "price":{"denom":"uakt","amount":"100.000000000000000000"},
            "price_precision":6});
        assert_eq!(v, want);
    }

    #[test]
    fn script_output_parsing() {
        assert_eq!(parse_script_output(" 12.5\n").unwrap(), 12 * ATTO + ATTO / 2);
        assert_eq!(parse_script_output("7").unwrap(), 7 * ATTO);
        assert!(matches!(parse_script_output(""), Err(PricingError::InvalidOutput { .. })));
        assert!(matches!(parse_script_output("1e3"), Err(PricingError::InvalidOutput { .. })));
        assert!(matches!(parse_script_output("1\n2"), Err(PricingError::InvalidOutput { .. })));
        assert_eq!(parse_script_output("0.000"), Err(PricingError::Zero));
        assert!(matches!(parse_script_output("-3"), Err(PricingError::Negative(_))));
    }

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    use std::path::Path;

    #[tokio::test]
    async fn script_pricing_runs_the_program_with_input_and_env() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("seen");
        let p = script(
            dir.path(),
            "ok.sh",
            &format!(
                "cat > {0}.json; echo \"$AKASH_OWNER $AKASH_DENOM\" > {0}.env; echo 12.5",
                out.display()
            ),
        );
        let s = ScriptPricing::new(&p, Duration::from_secs(10), 4);
        let g = group(vec![unit(500, 512 << 20, GI, 1)]);
        assert_eq!(s.price(&addr(7), &g, "uakt").await.unwrap(), 12 * ATTO + ATTO / 2);
        let input: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("seen.json")).unwrap()).unwrap();
        assert_eq!(input, script_input(&g, "uakt"));
        let env = std::fs::read_to_string(dir.path().join("seen.env")).unwrap();
        assert_eq!(env.trim(), format!("{} uakt", addr(7)));
        let via_enum = Pricing::Script(s);
        assert_eq!(via_enum.price(&addr(7), &g, "uakt").await.unwrap(), 12 * ATTO + ATTO / 2);
    }

    #[tokio::test]
    async fn script_pricing_refuses_garbage_zero_negative_failure_and_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let g = group(vec![unit(500, 512 << 20, GI, 1)]);
        let run = |name: &str, body: &str, timeout: Duration| {
            let s = ScriptPricing::new(script(dir.path(), name, body), timeout, 2);
            let g = g.clone();
            async move { s.price(&addr(1), &g, "uact").await }
        };
        let long = Duration::from_secs(10);
        assert!(matches!(
            run("garbage.sh", "echo hello", long).await,
            Err(PricingError::InvalidOutput { .. })
        ));
        assert!(matches!(
            run("empty.sh", "true", long).await,
            Err(PricingError::InvalidOutput { .. })
        ));
        assert_eq!(run("zero.sh", "echo 0", long).await, Err(PricingError::Zero));
        assert!(matches!(run("neg.sh", "echo -3.5", long).await, Err(PricingError::Negative(_))));
        match run("fail.sh", "echo boom >&2; exit 3", long).await {
            Err(PricingError::ScriptFailed { reason, .. }) => {
                assert!(reason.contains("boom"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        let start = Instant::now();
        let r = run("slow.sh", "sleep 5; echo 1", Duration::from_millis(300)).await;
        assert!(matches!(r, Err(PricingError::ScriptTimeout { .. })), "{r:?}");
        assert!(start.elapsed() < Duration::from_secs(4), "{:?}", start.elapsed());
        let missing = ScriptPricing::new(dir.path().join("nope.sh"), long, 1);
        assert!(matches!(
            missing.price(&addr(1), &g, "uact").await,
            Err(PricingError::ScriptFailed { .. })
        ));
    }

    #[tokio::test]
    async fn script_pricing_respects_the_process_limit() {
        let dir = tempfile::tempdir().unwrap();
        let s = ScriptPricing::new(
            script(dir.path(), "s.sh", "sleep 0.3; echo 1"),
            Duration::from_secs(10),
            1,
        );
        let g = group(vec![unit(500, 512 << 20, GI, 1)]);
        let owner = addr(1);
        let start = Instant::now();
        let (a, b, c) = tokio::join!(
            s.price(&owner, &g, "uact"),
            s.price(&owner, &g, "uact"),
            s.price(&owner, &g, "uact")
        );
        assert!(a.is_ok() && b.is_ok() && c.is_ok());
        assert!(start.elapsed() >= Duration::from_millis(850), "{:?}", start.elapsed());
    }
}

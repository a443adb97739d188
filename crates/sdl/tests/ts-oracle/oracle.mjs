// Differential-test oracle: Akash's own TypeScript SDK (@akashnetwork/chain-sdk, the parser
// of Akash's Console). Reads a JSON array of SDL texts on stdin and prints, for each, its
// verdict and, when valid, the manifest hash (generateManifestVersion) and every service's
// memory and storage sizes in bytes. Run by crates/sdl/tests/ts_differential.rs.
import { generateManifest, generateManifestVersion } from "@akashnetwork/chain-sdk";
import yaml from "js-yaml";

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const inputs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const out = [];
for (const text of inputs) {
  try {
    const r = generateManifest(yaml.load(text));
    if (!r.ok) {
      out.push({ ok: false, error: JSON.stringify(r.value).slice(0, 300) });
      continue;
    }
    const sizes = {};
    for (const g of r.value.groups) {
      for (const s of g.services) {
        sizes[s.name] = {
          memory: String(s.resources.memory.quantity.val),
          storage: s.resources.storage.map((v) => String(v.quantity.val)),
        };
      }
    }
    const hash = Buffer.from(await generateManifestVersion(r.value.groups)).toString("hex");
    out.push({ ok: true, hash, sizes });
  } catch (e) {
    out.push({ ok: false, error: String(e).slice(0, 300) });
  }
}
process.stdout.write(JSON.stringify(out));

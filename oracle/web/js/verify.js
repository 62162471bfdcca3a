// The certificate page's Verify panel: the browser checks the certificate back to its 15-minute
// readings itself. It reads the round root and the certificate from the chain (the RPC URL in the
// panel, changeable) with ethers, and checks the server's proof.json with @openzeppelin/merkle-tree:
// a visitor need not trust the server, only the node it names (and the contract addresses shown).
import { Contract, Interface, JsonRpcProvider, Network, getAddress } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

// The leaf types PV Ledger commits to (oracle/merkle.py); the server's proof.json must use these.
const GENERATION_LEAF_TYPES = ["uint256", "uint64", "uint64", "uint256", "bytes32"];
const READING_LEAF_TYPES = ["uint256", "uint64", "uint256"];
const INTERVAL_S = 900n;
const RPC_TIMEOUT_MS = 10000;

const ORACLE_ABI = [
  "function rounds(uint256 roundId) view returns (tuple(bytes32 merkleRoot, uint64 periodStart, uint64 periodEnd, uint32 leafCount, uint64 submittedAt, bool revoked, uint256 totalEnergyWh, bytes32 dataUriHash))",
];
const CERTIFICATES_ABI = [
  "function certificate(uint256 tokenId) view returns (tuple(uint64 installationId, uint64 periodStart, uint64 periodEnd, uint64 roundId, uint80 energyWh, uint80 retiredWh, uint80 exportedWh, uint16 emissionFactorYear))",
  "event CertificateIssued(uint256 indexed tokenId, uint256 indexed installationId, uint64 indexed roundId, uint64 periodStart, uint64 periodEnd, uint256 energyWh, bytes32 readingsRoot, address beneficiary)",
];

// The checks, in order: each is {id, label} and is shown ok / failed / not run with a detail line.
export const CHECKS = [
  { id: "node", label: "The node answers, on the certificate's chain" },
  { id: "round", label: "The round's root is read from the chain (and the round is not revoked)" },
  { id: "certificate", label: "The certificate is read from the chain" },
  { id: "proof", label: "The leaf's Merkle proof leads to the chain's round root" },
  { id: "fields", label: "The leaf matches the certificate on chain (installation, period, energy)" },
  { id: "event", label: "The leaf's readings root is the one the issuance event recorded" },
  { id: "readingsRoot", label: "The readings rebuild the leaf's readings root" },
  { id: "readingsSum", label: "The readings sum to the certificate's energy, inside its period" },
];

class CheckFailed extends Error {}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`${what}: no answer after ${RPC_TIMEOUT_MS / 1000} s`)), RPC_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeError(error) {
  if (error instanceof CheckFailed) return error.message;
  return error?.shortMessage || error?.message || String(error);
}

// eth_chainId by hand first: a wrong URL or a node that is down gives one clear message here,
// instead of ethers retrying its network detection forever.
async function chainIdOf(rpcUrl) {
  let url;
  try {
    url = new URL(rpcUrl);
  } catch {
    throw new CheckFailed(`"${rpcUrl}" is not a URL (for example http://127.0.0.1:8545)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CheckFailed(`the RPC URL must start with http:// or https://, not ${url.protocol}`);
  }
  let response;
  try {
    response = await withTimeout(
      fetch(url.href, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      }),
      `the node at ${url.href}`,
    );
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    throw new CheckFailed(`cannot reach a node at ${url.href} (${describeError(error)}): is the URL right and the node running?`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new CheckFailed(`${url.href} answered HTTP ${response.status}, not JSON-RPC: is it an Ethereum node's URL?`);
  }
  if (!body || typeof body.result !== "string") {
    throw new CheckFailed(`${url.href} answered without a chain id (${JSON.stringify(body?.error ?? body).slice(0, 200)})`);
  }
  return BigInt(body.result);
}

async function fetchProof(proofUrl) {
  let response;
  try {
    response = await fetch(proofUrl, { headers: { accept: "application/json" }, cache: "no-store" });
  } catch (error) {
    throw new CheckFailed(`cannot fetch ${proofUrl} from this site: ${describeError(error)}`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new CheckFailed(`${proofUrl} is not JSON (HTTP ${response.status})`);
  }
  if (!response.ok) throw new CheckFailed(`${proofUrl}: ${body.error || `HTTP ${response.status}`}`);
  for (const key of ["chainId", "roundId", "tokenId", "leaf", "proof", "readings", "contracts"]) {
    if (body[key] === undefined) throw new CheckFailed(`${proofUrl} has no "${key}"`);
  }
  return body;
}

const sameTypes = (a, b) => Array.isArray(a) && a.length === b.length && a.every((t, i) => t === b[i]);
const lower = (hex) => String(hex).toLowerCase();

// Every check, in order; `report(id, ok, detail)` is called once per check run. Returns true when all pass.
export async function verifyCertificate({ rpcUrl, proofUrl, report }) {
  const results = {};
  const done = (id, ok, detail) => {
    results[id] = ok;
    report(id, ok, detail);
  };
  const proof = await fetchProof(proofUrl);
  const leaf = proof.leaf;
  const [installationId, periodStart, periodEnd, energyWh, readingsRoot] = leaf.map((v, i) => (i < 4 ? BigInt(v) : lower(v)));

  const chainId = await chainIdOf(rpcUrl).catch((error) => {
    done("node", false, describeError(error));
    return null;
  });
  if (chainId === null) return false;
  if (chainId !== BigInt(proof.chainId)) {
    done("node", false, `the node at ${rpcUrl} is chain ${chainId}, the certificate is on chain ${proof.chainId}`);
    return false;
  }
  done("node", true, `chain ${chainId} at ${rpcUrl}`);

  const provider = new JsonRpcProvider(rpcUrl, Network.from(chainId), { staticNetwork: Network.from(chainId), batchMaxCount: 1 });
  try {
    const oracle = new Contract(getAddress(proof.contracts.GenerationOracle), ORACLE_ABI, provider);
    const certificates = new Contract(getAddress(proof.contracts.GenerationCertificates), CERTIFICATES_ABI, provider);

    let root = null;
    try {
      const record = await withTimeout(oracle.rounds(proof.roundId), "reading the round");
      root = lower(record.merkleRoot);
      if (/^0x0{64}$/.test(root)) done("round", false, `GenerationOracle ${proof.contracts.GenerationOracle} has no round ${proof.roundId}`);
      else if (record.revoked) done("round", false, `round ${proof.roundId} was revoked on chain: its certificates are not backed any more`);
      else done("round", true, `round ${proof.roundId}: root ${root}`);
    } catch (error) {
      done("round", false, `cannot read round ${proof.roundId}: ${describeError(error)}`);
    }

    let onChain = null;
    try {
      onChain = await withTimeout(certificates.certificate(proof.tokenId), "reading the certificate");
      if (BigInt(onChain.roundId) !== BigInt(proof.roundId)) {
        done("certificate", false, `on chain, certificate #${proof.tokenId} is of round ${onChain.roundId}, not ${proof.roundId}`);
      } else {
        done("certificate", true, `#${proof.tokenId}: installation ${onChain.installationId}, ${onChain.energyWh} Wh, round ${onChain.roundId}`);
      }
    } catch (error) {
      done("certificate", false, `cannot read certificate #${proof.tokenId}: ${describeError(error)}`);
    }

    if (!sameTypes(proof.leafTypes, GENERATION_LEAF_TYPES)) {
      done("proof", false, `the leaf types ${JSON.stringify(proof.leafTypes)} are not PV Ledger's ${JSON.stringify(GENERATION_LEAF_TYPES)}`);
    } else if (root === null || results.round === false) {
      done("proof", false, "no root from the chain to check the proof against");
    } else {
      let verified = false;
      try {
        verified = StandardMerkleTree.verify(root, GENERATION_LEAF_TYPES, leaf, proof.proof);
      } catch (error) {
        done("proof", false, `the proof cannot be checked: ${describeError(error)}`);
      }
      if (results.proof === undefined) {
        done("proof", verified, verified
          ? `${proof.proof.length} sibling hash(es) lead from the leaf to the chain's root`
          : `the proof does not lead to the chain's root ${root}: the leaf or its proof was altered`);
      }
    }

    if (onChain === null) {
      done("fields", false, "no certificate from the chain to compare with");
    } else {
      const mismatches = [
        ["installation", installationId, BigInt(onChain.installationId)],
        ["period start", periodStart, BigInt(onChain.periodStart)],
        ["period end", periodEnd, BigInt(onChain.periodEnd)],
        ["energy (Wh)", energyWh, BigInt(onChain.energyWh)],
      ].filter(([, fromLeaf, fromChain]) => fromLeaf !== fromChain);
      done("fields", mismatches.length === 0, mismatches.length === 0
        ? `installation ${installationId}, ${energyWh} Wh, the same period`
        : mismatches.map(([name, fromLeaf, fromChain]) => `${name}: the leaf says ${fromLeaf}, the chain ${fromChain}`).join("; "));
    }

    try {
      const issued = await issuanceEvent(provider, certificates, proof);
      const recorded = lower(issued.args.readingsRoot);
      done("event", recorded === readingsRoot, recorded === readingsRoot
        ? `CertificateIssued in block ${issued.blockNumber} recorded ${recorded}`
        : `CertificateIssued recorded ${recorded}, the leaf says ${readingsRoot}`);
    } catch (error) {
      done("event", false, describeError(error));
    }
  } finally {
    provider.destroy();
  }

  checkReadings(proof, { installationId, periodStart, periodEnd, energyWh, readingsRoot }, done);
  return CHECKS.every(({ id }) => results[id] === true);
}

// The CertificateIssued event of the certificate: from the issuing transaction's receipt (one call),
// or by searching the certificates contract's logs from its deployment block.
async function issuanceEvent(provider, certificates, proof) {
  const iface = new Interface(CERTIFICATES_ABI);
  const address = lower(await certificates.getAddress());
  const wanted = BigInt(proof.tokenId);
  let logs;
  if (proof.issueTx) {
    const receipt = await withTimeout(provider.getTransactionReceipt(proof.issueTx), "reading the issuing transaction");
    if (!receipt) throw new CheckFailed(`the chain has no transaction ${proof.issueTx}`);
    logs = receipt.logs;
  } else {
    logs = await withTimeout(certificates.queryFilter(certificates.filters.CertificateIssued(wanted), proof.certificatesBlock || 0),
      "searching the issuance event");
  }
  for (const log of logs) {
    if (lower(log.address) !== address) continue;
    const parsed = iface.parseLog(log);
    if (parsed?.name === "CertificateIssued" && parsed.args.tokenId === wanted) {
      return { args: parsed.args, blockNumber: log.blockNumber };
    }
  }
  throw new CheckFailed(`no CertificateIssued event of certificate #${proof.tokenId} ${proof.issueTx ? `in transaction ${proof.issueTx}` : "on chain"}`);
}

function checkReadings(proof, leaf, done) {
  if (!sameTypes(proof.readingTypes, READING_LEAF_TYPES)) {
    done("readingsRoot", false, `the reading types ${JSON.stringify(proof.readingTypes)} are not PV Ledger's ${JSON.stringify(READING_LEAF_TYPES)}`);
    done("readingsSum", false, "readings of unknown types");
    return;
  }
  try {
    const tree = StandardMerkleTree.of(proof.readings, READING_LEAF_TYPES);
    const rebuilt = lower(tree.root);
    done("readingsRoot", rebuilt === leaf.readingsRoot, rebuilt === leaf.readingsRoot
      ? `${proof.readings.length} readings rebuild ${rebuilt}`
      : `the ${proof.readings.length} readings rebuild ${rebuilt}, the leaf says ${leaf.readingsRoot}`);
  } catch (error) {
    done("readingsRoot", false, `the readings cannot be hashed: ${describeError(error)}`);
  }
  let total = 0n;
  const stray = [];
  for (const reading of proof.readings) {
    const [installationId, intervalStart, energyWh] = reading.map((v) => BigInt(v));
    total += energyWh;
    if (installationId !== leaf.installationId || intervalStart < leaf.periodStart || intervalStart >= leaf.periodEnd
        || intervalStart % INTERVAL_S !== 0n) stray.push(reading);
  }
  if (stray.length) {
    done("readingsSum", false, `${stray.length} reading(s) of another installation, outside the period or off the 15-minute grid`);
  } else {
    done("readingsSum", total === leaf.energyWh, total === leaf.energyWh
      ? `${proof.readings.length} readings of 15 minutes sum to ${total} Wh`
      : `the readings sum to ${total} Wh, the leaf says ${leaf.energyWh} Wh`);
  }
}

function renderChecks(list) {
  list.replaceChildren();
  const items = {};
  for (const { id, label } of CHECKS) {
    const item = document.createElement("li");
    item.dataset.check = id;
    item.dataset.state = "pending";
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.textContent = "…";
    const text = document.createElement("span");
    text.className = "label";
    text.textContent = label;
    const detail = document.createElement("span");
    detail.className = "detail";
    item.append(mark, text, detail);
    list.append(item);
    items[id] = { item, mark, detail };
  }
  return items;
}

export function setupVerify(root) {
  const panel = root.querySelector("[data-verify]");
  if (!panel) return;
  const form = panel.querySelector("form[data-verify-form]");
  const input = panel.querySelector("input[name=rpc_url]");
  const button = panel.querySelector("button[type=submit]");
  const list = panel.querySelector("[data-verify-checks]");
  const verdict = panel.querySelector("[data-verify-verdict]");
  panel.querySelectorAll("[data-verify-nojs]").forEach((el) => { el.hidden = true; });
  panel.querySelectorAll("[data-verify-js]").forEach((el) => { el.hidden = false; });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    const items = renderChecks(list);
    verdict.className = "verdict";
    verdict.dataset.state = "running";
    verdict.textContent = "Checking…";
    const report = (id, ok, detail) => {
      const { item, mark, detail: line } = items[id];
      item.dataset.state = ok ? "ok" : "failed";
      mark.textContent = ok ? "ok" : "failed";
      mark.className = `mark ${ok ? "ok" : "fail"}`;
      line.textContent = detail;
    };
    let passed = false;
    let problem = null;
    try {
      passed = await verifyCertificate({ rpcUrl: input.value.trim(), proofUrl: panel.dataset.proofUrl, report });
    } catch (error) {
      problem = describeError(error);
    }
    for (const { item, mark, detail } of Object.values(items)) {
      if (item.dataset.state === "pending") {
        item.dataset.state = "skipped";
        mark.textContent = "not run";
        detail.textContent = "";
      }
    }
    const failed = Object.values(items).filter(({ item }) => item.dataset.state === "failed").length;
    verdict.dataset.state = passed ? "verified" : "failed";
    verdict.className = `verdict ${passed ? "ok" : "fail"}`;
    verdict.textContent = passed
      ? `Verified: certificate #${panel.dataset.tokenId} is backed by its 15-minute readings and by the round root on chain.`
      : `Not verified: ${problem || `${failed} check(s) failed`}.`;
    button.disabled = false;
  });
}

// Offline supply-chain check of pnpm-lock.yaml (in `pnpm run lint`; `pnpm run audit` is the online one):
// every package entry is pinned by a sha512 integrity hash (no tarball URL, git or directory source
// without one), tarballs come only from the allowed registries, and no version on the denylist of
// .ci/supply-chain.json (releases known to have been published malicious) is in the tree.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rules = JSON.parse(readFileSync(join(root, '.ci/supply-chain.json'), 'utf8'));
const lockfile = process.argv[2] ?? join(root, 'pnpm-lock.yaml');
const lines = readFileSync(lockfile, 'utf8').split('\n');

/** `name@version` (the key of a `packages:` entry, maybe quoted, peers stripped) → [name, version]. */
function parseKey(key) {
  const bare = key.replace(/^'|'$/g, '').replace(/\(.*$/, '');
  const at = bare.lastIndexOf('@');
  return at > 0 ? [bare.slice(0, at), bare.slice(at + 1)] : [bare, ''];
}

const entries = [];
let section = '';
let current;
for (const line of lines) {
  const top = /^([a-zA-Z]+):/.exec(line);
  if (top) section = top[1];
  if (section !== 'packages') continue;
  const key = /^ {2}(\S.*):$/.exec(line);
  if (key) {
    current = { key: key[1], resolution: '' };
    entries.push(current);
  } else if (current && /^ {4}resolution: /.test(line)) {
    current.resolution = line.trim();
  }
}

const denied = new Map(rules.deny.map((d) => [d.package, d]));
const noIntegrityOk = new Set(rules.allowWithoutIntegrity.map((a) => a.package));
const problems = [];
for (const { key, resolution } of entries) {
  const [name, version] = parseKey(key);
  const deny = denied.get(name);
  if (deny && (deny.versions.includes('*') || deny.versions.includes(version))) {
    problems.push(`${name}@${version} is denied: ${deny.reason}`);
  }
  const tarball = /tarball: ([^,}\s]+)/.exec(resolution)?.[1];
  if (tarball && !rules.allowedRegistries.some((r) => tarball.startsWith(r))) {
    problems.push(`${name}@${version} comes from ${tarball}, not an allowed registry`);
  }
  if (!/integrity: sha512-/.test(resolution) && !noIntegrityOk.has(name)) {
    problems.push(`${name}@${version} has no sha512 integrity hash (${resolution || 'no resolution'})`);
  }
}
if (entries.length === 0) problems.push('no package entries found: has the lockfile format changed?');
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error('See .ci/supply-chain.json and "Supply chain" in docs/deploy.md.');
  process.exit(1);
}
console.log(`check-lockfile: ${entries.length} packages pinned by sha512, none denied`);

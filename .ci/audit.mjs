// `pnpm run audit`: pnpm audit (needs the registry's audit endpoint, so it is not in the offline lint
// step) with the accepted advisories of .ci/supply-chain.json (`auditAllow`: id and reason each).
// Fails on any advisory of severity high or critical (or `--level <severity>`) that is not accepted.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { auditAllow } = JSON.parse(readFileSync(join(root, '.ci/supply-chain.json'), 'utf8'));
const levelArg = process.argv.indexOf('--level');
const order = ['info', 'low', 'moderate', 'high', 'critical'];
const floor = order.indexOf(levelArg > 0 ? process.argv[levelArg + 1] : 'high');

const run = spawnSync('pnpm', ['audit', '--json'], { cwd: root, encoding: 'utf8' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(`pnpm audit gave no report (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  process.exit(2);
}
const accepted = new Set(auditAllow.map((a) => a.id));
const open = Object.values(report.advisories ?? {}).filter(
  (a) =>
    order.indexOf(a.severity) >= floor && !accepted.has(a.github_advisory_id) && !accepted.has(String(a.id)),
);
for (const a of open)
  console.error(`${a.severity} ${a.module_name}: ${a.title} (${a.github_advisory_id ?? a.id}) ${a.url}`);
if (open.length > 0) {
  console.error('Upgrade, or accept in .ci/supply-chain.json auditAllow with a reason.');
  process.exit(1);
}
console.log(`audit: no open advisories at ${order[floor]} or above (${accepted.size} accepted)`);

// Writes the prod overlay's NATS users and permissions (`deploy/k8s/overlays/prod/nats-auth.conf`) from
// libs/events/src/permissions.ts: `pnpm run gen:nats` (after a build). `--check` fails if it differs.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { natsAuthorizationConf } from '../permissions';

const target = path.resolve(__dirname, '../../../../deploy/k8s/overlays/prod/nats-auth.conf');
const want = natsAuthorizationConf();
if (process.argv.includes('--check')) {
  let have = '';
  try {
    have = readFileSync(target, 'utf8');
  } catch {
    // missing: differs
  }
  if (have !== want) {
    console.error(`${target} is stale: run pnpm run gen:nats`);
    process.exit(1);
  }
} else {
  writeFileSync(target, want);
  console.log(`wrote ${target}`);
}

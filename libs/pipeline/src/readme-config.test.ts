import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { renderConfigTables, withConfigTables } from './readme-config';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const README = path.join(ROOT, 'README.md');

/** Prettier as the repository formats markdown (a child process: prettier 3 cannot load inside Jest). */
function formatMarkdown(text: string): string {
  return execFileSync(path.join(ROOT, 'node_modules', '.bin', 'prettier'), ['--stdin-filepath', README], {
    input: text,
    encoding: 'utf8',
  });
}

describe('README configuration tables', () => {
  it('list every variable the processes read, as they validate them (run `pnpm docs:config` to update)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(readme).toBe(formatMarkdown(withConfigTables(readme)));
  });

  it('name each variable with its default', () => {
    expect(renderConfigTables()).toContain('`HEADSTART_REGISTRY_PORT`');
    expect(renderConfigTables()).toContain('`HEADSTART_HOME`');
  });
});

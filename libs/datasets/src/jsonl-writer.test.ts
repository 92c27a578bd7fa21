import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { makeTempDir } from '@headstart/testing';
import type { TempDir } from '@headstart/testing';
import { createJsonlWriter, digestFile, writeFileAtomic } from './jsonl-writer';

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir('datasets-writer');
});
afterEach(() => dir.remove());

describe('createJsonlWriter', () => {
  it('writes one JSON object a line and reports the digest and size of what is on disk', async () => {
    const writer = await createJsonlWriter(dir.path, 'x.jsonl');
    for (let i = 0; i < 5000; i++) await writer.write({ id: i, text: `é ${'x'.repeat(i % 50)}` });
    const written = await writer.close();
    const bytes = await fs.readFile(path.join(dir.path, 'x.jsonl'));
    expect(written.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(written.bytes).toBe(bytes.length);
    const lines = bytes.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(5000);
    expect(JSON.parse(lines[1] ?? '')).toEqual({ id: 1, text: 'é x' });
    expect(await digestFile(path.join(dir.path, 'x.jsonl'))).toEqual({
      sha256: written.sha256,
      bytes: written.bytes,
    });
  });

  it('never shows a partial file under the final name, and abort leaves the old file alone', async () => {
    await writeFileAtomic(dir.path, 'x.jsonl', 'old\n');
    const writer = await createJsonlWriter(dir.path, 'x.jsonl');
    await writer.write({ a: 1 });
    expect(await fs.readFile(path.join(dir.path, 'x.jsonl'), 'utf8')).toBe('old\n');
    await writer.abort();
    expect(await fs.readdir(dir.path)).toEqual(['x.jsonl']);
    expect(await fs.readFile(path.join(dir.path, 'x.jsonl'), 'utf8')).toBe('old\n');
  });

  it('digestFile is undefined for a missing file', async () => {
    expect(await digestFile(path.join(dir.path, 'missing'))).toBeUndefined();
  });
});

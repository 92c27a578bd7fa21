import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

import { Code, HeadstartError } from '@headstart/errors';
import { makeTempDir } from '@headstart/testing';

import { download, meta, ref, startTestRegistry, storedFiles, upload } from './registry-test-fixture';

describe('registry start-up', () => {
  it('removes what a crash left behind (temp files, unreferenced blobs) and keeps the rest', async () => {
    await using dir = await makeTempDir('registry-recovery');
    const first = await startTestRegistry(dir.path);
    const kept = Buffer.from('committed artifact');
    await upload(first.client, meta('survivor'), kept);
    await first.stop();

    // A crash mid-upload leaves a temp file; one between rename and commit leaves an orphan blob.
    const orphan = Buffer.from('renamed but never committed');
    const digest = createHash('sha256').update(orphan).digest('hex');
    const blobDir = path.join(dir.path, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4));
    await mkdir(blobDir, { recursive: true });
    await writeFile(path.join(blobDir, digest), orphan);
    await writeFile(path.join(dir.path, 'blobs', 'tmp', 'abandoned.part'), 'half');

    const second = await startTestRegistry(dir.path);
    try {
      const files = await storedFiles(dir.path);
      expect(files.temp).toEqual([]);
      expect(files.blobs).toEqual([createHash('sha256').update(kept).digest('hex')]);
      expect((await download(second.client, ref('survivor', 1))).bytes.equals(kept)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('refuses a second registry on the same data directory and releases it on shutdown', async () => {
    await using dir = await makeTempDir('registry-lock');
    const first = await startTestRegistry(dir.path);
    const err = await startTestRegistry(dir.path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HeadstartError);
    expect((err as HeadstartError).code).toBe(Code.FAILED_PRECONDITION);
    expect(await readdir(dir.path)).toContain('LOCK');
    await first.stop();
    expect(await readdir(dir.path)).not.toContain('LOCK');
    // A lock file whose process is gone (a crash) is taken over.
    await writeFile(path.join(dir.path, 'LOCK'), '999999999\n');
    const second = await startTestRegistry(dir.path);
    await second.stop();
  });
});

import { readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

import { Code, HeadstartError } from '@headstart/errors';
import { makeTempDir } from '@headstart/testing';

import { lockDataDir } from './data-dir-lock';

const registryLock = { fileName: 'LOCK', holder: 'registry' };

async function refusal(work: Promise<unknown>): Promise<HeadstartError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeadstartError);
  expect((err as HeadstartError).code).toBe(Code.FAILED_PRECONDITION);
  return err as HeadstartError;
}

describe('lockDataDir', () => {
  it('creates the directory and a lock file with our pid, removed on release', async () => {
    await using dir = await makeTempDir('data-dir-lock');
    const dataDir = path.join(dir.path, 'nested', 'data');
    const lock = await lockDataDir(dataDir, registryLock);
    expect(lock.file).toBe(path.join(dataDir, 'LOCK'));
    expect(await readFile(lock.file, 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
    await lock.release();
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('refuses a second lock in this process until the first is released', async () => {
    await using dir = await makeTempDir('data-dir-lock');
    const lock = await lockDataDir(dir.path, registryLock);
    const err = await refusal(lockDataDir(dir.path, registryLock));
    expect(err.message).toBe(`data directory ${dir.path} is already used by this process`);
    await lock.release();
    const again = await lockDataDir(dir.path, registryLock);
    await again.release();
  });

  it('refuses a lock held by another live process, naming the holder and its pid', async () => {
    await using dir = await makeTempDir('data-dir-lock');
    // Our parent (the Jest runner) is alive and is not us: a lock file with its pid is held.
    await writeFile(path.join(dir.path, 'ingest.lock'), `${process.ppid}\n`);
    const err = await refusal(lockDataDir(dir.path, { fileName: 'ingest.lock', holder: 'ingest service' }));
    expect(err.message).toBe(
      `data directory ${dir.path} is in use by another ingest service (pid ${process.ppid})`,
    );
    expect(await readFile(path.join(dir.path, 'ingest.lock'), 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('takes over a lock whose process is gone, or whose file holds no pid', async () => {
    await using dir = await makeTempDir('data-dir-lock');
    await writeFile(path.join(dir.path, 'LOCK'), '999999999\n');
    const taken = await lockDataDir(dir.path, registryLock);
    expect(await readFile(taken.file, 'utf8')).toBe(`${process.pid}\n`);
    await taken.release();
    await writeFile(path.join(dir.path, 'LOCK'), '');
    const fromEmpty = await lockDataDir(dir.path, registryLock);
    await fromEmpty.release();
  });

  it('keeps distinct lock files in one directory apart (registry and ingest may share it)', async () => {
    await using dir = await makeTempDir('data-dir-lock');
    const registry = await lockDataDir(dir.path, registryLock);
    const ingest = await lockDataDir(dir.path, { fileName: 'ingest.lock', holder: 'ingest service' });
    expect((await readdir(dir.path)).sort()).toEqual(['LOCK', 'ingest.lock']);
    await Promise.all([registry.release(), ingest.release()]);
  });
});

import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import * as path from 'node:path';

import { hashFile, type RegistryClient } from '@headstart/registry-client';

import { load1, startCpuMeter, type CpuShare } from './machine';

export interface TransferOptions {
  client: RegistryClient;
  serverPid: number;
  /** Directory on the same disk as the registry's data directory. */
  dir: string;
  sizeBytes: number;
  rounds: number;
}

export interface Timed {
  seconds: number;
  cpu: CpuShare;
  load: number;
}

export interface TransferRound {
  /** `cp src dst`: may finish with the copy still in the page cache, not on disk. */
  cp: Timed;
  /** `cp src dst && sync dst`: the copy is on disk when it returns, as a committed upload is. */
  cpSync: Timed;
  /** `hashFile`: the client's pre-hash pass alone (part of the default upload). */
  hash: Timed;
  /** `createVersion(meta, file)` with defaults: pre-hash, stream, server hashes, fsyncs, commits. */
  upload: Timed;
  /** The same with `prehashFile: false` (the client still checks the committed digest). */
  uploadNoPrehash: Timed;
  /** `downloadArtifact(ref, file)`: streamed, verified, fsynced, renamed into place. */
  download: Timed;
}

const MODEL = 'bench-artifact';
const WRITE_CHUNK = 8 << 20;

/** Writes `sizeBytes` of random bytes (incompressible, unlike zeros) and fsyncs them. */
async function createArtifact(file: string, sizeBytes: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const buffer = Buffer.allocUnsafe(WRITE_CHUNK);
    for (let offset = 0; offset < sizeBytes; offset += WRITE_CHUNK) {
      const n = Math.min(WRITE_CHUNK, sizeBytes - offset);
      randomFillSync(buffer, 0, n);
      await handle.write(buffer, 0, n, offset);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Changes the first bytes so every upload is new content (the blob store keeps identical bytes once). */
async function restamp(file: string, stamp: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const bytes = Buffer.alloc(16);
    bytes.writeDoubleLE(stamp, 0);
    bytes.writeDoubleLE(Date.now(), 8);
    await handle.write(bytes, 0, bytes.length, 0);
  } finally {
    await handle.close();
  }
}

async function timed(serverPid: number, work: () => Promise<void> | void): Promise<Timed> {
  const load = load1();
  const stopCpu = startCpuMeter(serverPid);
  const startedAt = performance.now();
  await work();
  const seconds = (performance.now() - startedAt) / 1000;
  return { seconds, cpu: stopCpu(), load };
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
}

/**
 * Per round: cp, cp + sync, the client's pre-hash alone, an upload with defaults, an upload without
 * pre-hash, and a download to a file, all of one artifact in one directory. The source file is
 * restamped before each upload so no upload is deduplicated by content. Every copy and version is
 * removed at the end of its round so the disk holds at most two copies at a time.
 */
export async function runTransfers(options: TransferOptions): Promise<TransferRound[]> {
  const { client, serverPid, dir, sizeBytes } = options;
  const source = path.join(dir, 'artifact.bin');
  const copy = path.join(dir, 'artifact.copy');
  await createArtifact(source, sizeBytes);
  const rounds: TransferRound[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const cp = await timed(serverPid, () => run('cp', [source, copy]));
    await rm(copy);
    const cpSync = await timed(serverPid, () =>
      run('sh', ['-c', 'cp "$1" "$2" && sync "$2"', 'sh', source, copy]),
    );
    await rm(copy);
    const hash = await timed(serverPid, async () => {
      await hashFile(source);
    });

    await restamp(source, round * 2);
    let uploaded = 0;
    const upload = await timed(serverPid, async () => {
      const version = (await client.createVersion({ modelName: MODEL, kind: 'BASE_MODEL' }, source)).version;
      uploaded = version.version;
    });
    await restamp(source, round * 2 + 1);
    let uploadedRaw = 0;
    const uploadNoPrehash = await timed(serverPid, async () => {
      const version = (
        await client.createVersion({ modelName: MODEL, kind: 'BASE_MODEL' }, source, {
          prehashFile: false,
        })
      ).version;
      uploadedRaw = version.version;
    });

    const download = await timed(serverPid, async () => {
      const info = await client.downloadArtifact(`${MODEL}:${uploadedRaw}`, copy);
      if (info.size !== sizeBytes) throw new Error(`downloaded ${info.size} bytes, expected ${sizeBytes}`);
    });
    await rm(copy);
    await client.deleteVersion(`${MODEL}:${uploadedRaw}`);
    await client.deleteVersion(`${MODEL}:${uploaded}`);
    rounds.push({ cp, cpSync, hash, upload, uploadNoPrehash, download });
  }
  await rm(source);
  return rounds;
}

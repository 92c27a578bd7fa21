import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { Code, HeadstartError } from '@headstart/errors';
import type { registry } from '@headstart/proto';
import { makeTempDir, type TempDir } from '@headstart/testing';
import { collectArtifact, receiveArtifact, saveArtifactToFile, writeArtifactToStream } from './artifact-sink';
import { ArtifactVerifier } from './artifact-verifier';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The messages a DownloadArtifact stream carries for `data`, announced with `info`. */
async function* artifactStream(
  data: Buffer,
  info: Partial<registry.ArtifactInfo> = {},
  chunkBytes = 1000,
): AsyncGenerator<registry.DownloadArtifactResponse> {
  yield {
    payload: { $case: 'info', info: { versionId: 'v1', sha256: sha256(data), size: data.length, ...info } },
  };
  for (let offset = 0; offset < data.length; offset += chunkBytes) {
    yield { payload: { $case: 'chunk', chunk: data.subarray(offset, offset + chunkBytes) } };
  }
}

async function expectCode(promise: Promise<unknown>, code: Code): Promise<HeadstartError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(HeadstartError);
  expect((error as HeadstartError).code).toBe(code);
  return error as HeadstartError;
}

const data = Buffer.from(Array.from({ length: 4567 }, (_, i) => (i * 31) % 256));

describe('ArtifactVerifier', () => {
  it('accepts the announced bytes and returns their digest', () => {
    const verifier = new ArtifactVerifier({ sha256: sha256(data), size: data.length }, 'm:1');
    verifier.update(data.subarray(0, 100));
    verifier.update(data.subarray(100));
    expect(verifier.verify()).toBe(sha256(data));
  });

  it('reports a flipped byte as DATA_LOSS with both digests', () => {
    const corrupt = Buffer.from(data);
    corrupt[1234] = (corrupt[1234] ?? 0) ^ 0xff;
    const verifier = new ArtifactVerifier({ sha256: sha256(data), size: data.length }, 'm:1');
    verifier.update(corrupt);
    const error = (() => {
      try {
        verifier.verify();
      } catch (err) {
        return err as HeadstartError;
      }
      throw new Error('verify accepted corrupt bytes');
    })();
    expect(error.code).toBe(Code.DATA_LOSS);
    expect(error.message).toContain('m:1 is corrupt');
    expect(error.details).toEqual({ expectedSha256: sha256(data), actualSha256: sha256(corrupt) });
  });

  it('reports missing and extra bytes as DATA_LOSS', () => {
    const short = new ArtifactVerifier({ sha256: sha256(data), size: data.length }, 'm:1');
    short.update(data.subarray(1));
    expect(() => short.verify()).toThrow(/truncated: received 4566 of 4567 bytes/);
    const long = new ArtifactVerifier({ sha256: sha256(data), size: data.length - 1 }, 'm:1');
    expect(() => long.update(data)).toThrow(/more than the announced 4566 bytes/);
  });
});

describe('saveArtifactToFile', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('client-sink');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('writes a verified artifact into place and leaves no partial file', async () => {
    const destination = path.join(dir.path, 'model.bin');
    const progress: number[] = [];
    const info = await saveArtifactToFile(artifactStream(data), destination, 'm:1', (p) =>
      progress.push(p.bytes),
    );
    expect(info.size).toBe(data.length);
    expect(await fs.readFile(destination)).toEqual(data);
    expect(await fs.readdir(dir.path)).toEqual(['model.bin']);
    expect(progress.at(-1)).toBe(data.length);
  });

  it('removes the partial file on a digest mismatch and leaves the destination untouched', async () => {
    const destination = path.join(dir.path, 'model.bin');
    await fs.writeFile(destination, 'previous content');
    const error = await expectCode(
      saveArtifactToFile(artifactStream(data, { sha256: sha256(Buffer.from('other')) }), destination, 'm:1'),
      Code.DATA_LOSS,
    );
    expect(error.message).toContain('sha256 is');
    expect(await fs.readdir(dir.path)).toEqual(['model.bin']);
    expect(await fs.readFile(destination, 'utf8')).toBe('previous content');
  });

  it('removes the partial file when the stream fails midway', async () => {
    async function* failing(): AsyncGenerator<registry.DownloadArtifactResponse> {
      yield* artifactStream(data.subarray(0, 2000), { size: data.length, sha256: sha256(data) });
      throw new Error('stream reset');
    }
    const destination = path.join(dir.path, 'model.bin');
    await expect(saveArtifactToFile(failing(), destination, 'm:1')).rejects.toThrow('stream reset');
    expect(await fs.readdir(dir.path)).toEqual([]);
  });

  it('refuses a stream that sends chunks before the info or no info at all', async () => {
    async function* chunkFirst(): AsyncGenerator<registry.DownloadArtifactResponse> {
      yield { payload: { $case: 'chunk', chunk: data } };
    }
    async function* empty(): AsyncGenerator<registry.DownloadArtifactResponse> {}
    await expectCode(
      receiveArtifact(chunkFirst(), 'm:1', async () => undefined),
      Code.INTERNAL,
    );
    await expectCode(
      receiveArtifact(empty(), 'm:1', async () => undefined),
      Code.INTERNAL,
    );
  });
});

describe('writeArtifactToStream', () => {
  it('respects backpressure of a slow Writable and ends it', async () => {
    const sink = new PassThrough({ highWaterMark: 16 });
    const received: Buffer[] = [];
    const writing = writeArtifactToStream(artifactStream(data, {}, 100), sink, 'm:1', { end: true });
    // Read slowly: every read lets one more chunk through, so writes must wait for 'drain'.
    for await (const chunk of sink) {
      received.push(chunk as Buffer);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writing;
    expect(Buffer.concat(received)).toEqual(data);
  });

  it('does not end the stream when the digest is wrong', async () => {
    const sink = new PassThrough();
    sink.resume();
    await expectCode(
      writeArtifactToStream(artifactStream(data, { size: data.length + 1 }), sink, 'm:1', { end: true }),
      Code.DATA_LOSS,
    );
    expect(sink.writableEnded).toBe(false);
  });
});

describe('collectArtifact', () => {
  it('returns the verified bytes', async () => {
    const { data: collected } = await collectArtifact(artifactStream(data), 'm:1', 10_000);
    expect(collected).toEqual(data);
  });

  it('refuses an artifact announced larger than the limit before reading it', async () => {
    const error = await expectCode(
      collectArtifact(artifactStream(data), 'm:1', 100),
      Code.FAILED_PRECONDITION,
    );
    expect(error.message).toContain('download it to a file instead');
  });
});

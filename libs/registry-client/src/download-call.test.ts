import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { Code, HeadstartError } from '@headstart/errors';
import { registry } from '@headstart/proto';
import { createRegistryService } from '@headstart/registry';
import { createLogger } from '@headstart/service-kit';
import { makeTempDir, startNatsServer, type NatsServerHandle, type TempDir } from '@headstart/testing';
import { guardCall } from './download-call';
import { createRegistryClient, type RegistryClient } from './index';

/*
 * Downloads that fail or are abandoned while nobody reads the gRPC stream, against a real registry.
 * grpc-js emits 'error' on such a stream; without a listener that is an uncaught exception, which Jest
 * reports as a failure of the running test (and which kills a service process).
 */

let nats: NatsServerHandle;
let dataDir: TempDir;
let work: TempDir;
let service: Awaited<ReturnType<typeof createRegistryService>>;
let client: RegistryClient;
let raw: registry.RegistryServiceClient;
const uncaught: unknown[] = [];
const recordUncaught = (err: unknown): void => void uncaught.push(err);
const BIG = randomBytes(3 * 1024 * 1024);

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  nats = await startNatsServer();
  dataDir = await makeTempDir('download-call-data');
  work = await makeTempDir('download-call-work');
  service = await createRegistryService({
    dataDir: dataDir.path,
    natsUrl: nats.url,
    host: '127.0.0.1',
    port: 0,
    drainTimeoutMs: 2_000,
    logger: createLogger({ name: 'download-call', level: 'error' }),
  });
  const address = `127.0.0.1:${service.port}`;
  client = createRegistryClient({ address });
  raw = new registry.RegistryServiceClient(address, grpc.credentials.createInsecure());
  await client.createVersion({ modelName: 'big', kind: 'dataset' }, BIG);
});

afterAll(async () => {
  process.off('uncaughtException', recordUncaught);
  raw?.close();
  client?.close();
  await service?.shutdown();
  await nats?.dispose();
  await dataDir?.remove();
  await work?.remove();
});

afterEach(() => {
  expect(uncaught).toEqual([]);
});

function open(ref: string): grpc.ClientReadableStream<registry.DownloadArtifactResponse> {
  const [name = '', version = '1'] = ref.split(':');
  return raw.downloadArtifact(
    { ref: { name, selector: { $case: 'version', version: Number(version) } } },
    new grpc.Metadata(),
    { deadline: Date.now() + 30_000 },
  );
}

function statusOf(call: grpc.ClientReadableStream<unknown>): Promise<grpc.StatusObject> {
  return new Promise((resolve) => call.once('status', resolve));
}

async function rejection(promise: Promise<unknown>): Promise<HeadstartError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  return HeadstartError.from(error);
}

describe('a call that fails before anyone reads it', () => {
  it('keeps the error for the first read, with its gRPC code', async () => {
    const call = open('missing:1');
    const status = statusOf(call);
    const guarded = guardCall(call);
    await guarded.settled; // the call is over, and nobody has read it yet
    expect((await status).code).toBe(grpc.status.NOT_FOUND);

    const read = async () => {
      for await (const message of guarded.messages) void message;
    };
    const error = await rejection(read());
    expect(error.code).toBe(Code.NOT_FOUND);
    expect(error.message).toMatch(/missing/);
  });

  it('downloadArtifact rejects with NOT_FOUND for a missing artifact, to a file or a stream', async () => {
    const toFile = await rejection(client.downloadArtifact('missing:1', path.join(work.path, 'missing')));
    expect(toFile).toBeInstanceOf(HeadstartError);
    expect(toFile.code).toBe(Code.NOT_FOUND);
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const toStream = await rejection(client.downloadArtifact('missing:1', sink));
    expect(toStream.code).toBe(Code.NOT_FOUND);
    expect(await fs.readdir(work.path)).toEqual([]);
  });

  it('a destination that cannot be opened fails the download, and the cancelled call stays quiet', async () => {
    // The file is opened before the stream is read: the call is cancelled without ever being read.
    const error = await rejection(client.downloadArtifact('big:1', path.join(work.path, 'no-dir', 'x')));
    expect(error.message).toMatch(/ENOENT/);
    // The same client still works afterwards.
    expect((await client.downloadToBuffer('big:1')).equals(BIG)).toBe(true);
  });
});

describe('a reader that leaves early', () => {
  it('cancels the call: the status is CANCELLED and no error escapes', async () => {
    const call = open('big:1');
    const status = statusOf(call);
    const guarded = guardCall(call);
    let messages = 0;
    for await (const message of guarded.messages) {
      void message;
      if (++messages === 2) break; // the info and one chunk of many
    }
    guarded.cancel();
    await guarded.settled;
    expect((await status).code).toBe(grpc.status.CANCELLED);
    expect(messages).toBe(2);
  });

  it('a destination stream that fails mid-download rejects the download with its error', async () => {
    let writes = 0;
    const failing = new Writable({
      write: (_chunk, _enc, done) => done(++writes === 2 ? new Error('disk full') : null),
    });
    failing.on('error', () => undefined);
    const error = await rejection(client.downloadArtifact('big:1', failing));
    expect(error.message).toMatch(/disk full|closed early/);
    expect(writes).toBe(2);
  });

  it('a download refused part-way (too big for memory) is cancelled cleanly', async () => {
    const error = await rejection(client.downloadToBuffer('big:1', { maxBytes: 1024 }));
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect((await client.downloadToBuffer('big:1')).length).toBe(BIG.length);
  });
});

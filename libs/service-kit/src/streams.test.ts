import { once } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { Code, fromServiceError, HeadstartError } from '@headstart/errors';
import { registry } from '@headstart/proto';
import { defaultDeadline } from './client';
import { startFixture } from './test-fixture';

describe('streaming handlers', () => {
  let fixture: Awaited<ReturnType<typeof startFixture>>;

  beforeAll(async () => {
    fixture = await startFixture({ maxReceiveMessageBytes: 256 * 1024 });
  });
  afterAll(async () => {
    fixture.client.close();
    await fixture.service.shutdown('test done');
  });

  function download(name: string): grpc.ClientReadableStream<registry.DownloadArtifactResponse> {
    return fixture.client.downloadArtifact(
      { ref: { name, selector: { $case: 'latest', latest: true } } },
      { deadline: defaultDeadline(10_000) },
    );
  }

  it('serverStream delivers every message in order, with backpressure', async () => {
    const call = download('many');
    const fills: number[] = [];
    let info = 0;
    for await (const message of call as AsyncIterable<registry.DownloadArtifactResponse>) {
      if (message.payload?.$case === 'info') info += 1;
      else if (message.payload?.$case === 'chunk') fills.push(message.payload.chunk[0] ?? -1);
    }
    expect(info).toBe(1);
    expect(fills).toHaveLength(500);
    expect(fills.every((fill, i) => fill === i % 256)).toBe(true);
  });

  it('serverStream send fails fast once the client cancels', async () => {
    const aborted = fixture.seen.wait<unknown>('downloadAborted');
    const call = download('endless');
    call.on('error', () => undefined);
    await once(call, 'data');
    call.cancel();
    const reason = await aborted;
    expect(reason).toBeInstanceOf(HeadstartError);
    expect((reason as HeadstartError).code).toBe(Code.CANCELLED);
  });

  function upload(): {
    call: grpc.ClientWritableStream<registry.CreateVersionRequest>;
    result: Promise<unknown>;
  } {
    let call: grpc.ClientWritableStream<registry.CreateVersionRequest> | undefined;
    const result = new Promise<unknown>((resolve) => {
      call = fixture.client.createVersion({ deadline: defaultDeadline(10_000) }, (err, res) =>
        resolve(err ?? res),
      );
    });
    if (call === undefined) throw new Error('createVersion did not return a call');
    return { call, result };
  }

  it('clientStream hands the handler every message as an async iterable', async () => {
    const { call, result } = upload();
    call.write({
      payload: { $case: 'metadata', metadata: registry.VersionMetadata.fromPartial({ modelName: 'up' }) },
    });
    for (let i = 0; i < 10; i++) call.write({ payload: { $case: 'chunk', chunk: Buffer.alloc(1000) } });
    call.end();
    const response = (await result) as registry.CreateVersionResponse;
    expect(response.version?.modelName).toBe('up');
    expect(response.version?.artifactSize).toBe(10_000);
  });

  it('a client that drops mid-upload aborts the signal and ends the iteration with an error', async () => {
    const { call, result } = upload();
    const firstChunk = fixture.seen.wait('chunk');
    const aborted = fixture.seen.wait<{ err: unknown; aborted: boolean }>('uploadAborted');
    call.write({
      payload: {
        $case: 'metadata',
        metadata: registry.VersionMetadata.fromPartial({ modelName: 'dropped' }),
      },
    });
    call.write({ payload: { $case: 'chunk', chunk: Buffer.alloc(1000) } });
    await firstChunk;
    call.cancel();
    const seen = await aborted;
    expect(seen.aborted).toBe(true);
    expect(fromServiceError(seen.err).code).toBe(Code.CANCELLED);
    expect(fromServiceError(await result).code).toBe(Code.CANCELLED);
  });

  it('a client that cancels with chunks still in flight never looks like a finished upload', async () => {
    for (let round = 0; round < 100; round++) {
      const name = `burst-${round}`;
      const outcome = new Promise<string>((resolve) => {
        const onDone = (e: { name: string }) => e.name === name && resolve('completed');
        const onAbort = (e: { name: string }) => e.name === name && resolve('aborted');
        fixture.seen.on('uploadCompleted', onDone);
        fixture.seen.on('uploadAborted', onAbort);
      });
      const { call, result } = upload();
      call.write({
        payload: { $case: 'metadata', metadata: registry.VersionMetadata.fromPartial({ modelName: name }) },
      });
      for (let i = 0; i < (round % 20) * 5; i++)
        call.write({ payload: { $case: 'chunk', chunk: Buffer.alloc(4096) } });
      // Drop once the handler is reading, with chunks still on their way.
      await new Promise<void>((resolve) => {
        const onChunk = (_bytes: number, chunkOf: string) => {
          if (chunkOf !== name) return;
          fixture.seen.off('chunk', onChunk);
          resolve();
        };
        fixture.seen.on('chunk', onChunk);
      });
      call.cancel();
      expect(fromServiceError(await result).code).toBe(Code.CANCELLED);
      expect(await outcome).toBe('aborted');
    }
    fixture.seen.removeAllListeners('uploadCompleted');
    fixture.seen.removeAllListeners('uploadAborted');
  });

  it('serverStream sends a HeadstartError thrown after some messages with its code', async () => {
    const call = download('fail-midway');
    const received: string[] = [];
    call.on('data', (message: registry.DownloadArtifactResponse) =>
      received.push(message.payload?.$case ?? ''),
    );
    const [err] = (await once(call, 'error')) as [unknown];
    const error = fromServiceError(err);
    expect(error.code).toBe(Code.NOT_FOUND);
    expect(error.details).toEqual({ name: 'fail-midway' });
    expect(received).toEqual(['info']);
  });

  it('a message over maxReceiveMessageBytes is refused with RESOURCE_EXHAUSTED', async () => {
    const { call, result } = upload();
    call.write({
      payload: { $case: 'metadata', metadata: registry.VersionMetadata.fromPartial({ modelName: 'big' }) },
    });
    call.write({ payload: { $case: 'chunk', chunk: Buffer.alloc(300 * 1024) } });
    call.end();
    expect(fromServiceError(await result).code).toBe(Code.RESOURCE_EXHAUSTED);
  });
});

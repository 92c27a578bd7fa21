// Oversized strings and lists (issue 14): each answered at once with INVALID_ARGUMENT naming the field,
// in a short status, and no run created. Every string and repeated field of every PretrainService RPC.
import * as grpc from '@grpc/grpc-js';
import { pretrain } from '@headstart/proto';
import { oversizedCalls } from '@headstart/service-kit/testing';

import { startTestStack, tinyRunSpec, type TestStack } from '../test-support/stack';

const cases = oversizedCalls(pretrain.PretrainServiceService, {
  startRun: { type: pretrain.StartRunRequest, base: { spec: tinyRunSpec() } },
  getRun: { type: pretrain.GetRunRequest },
  listRuns: { type: pretrain.ListRunsRequest },
  watchRun: { type: pretrain.WatchRunRequest },
  cancelRun: { type: pretrain.CancelRunRequest },
});

describe('pretrain bounds every string and repeated field', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.close());

  it.each(cases.map((c) => [c.method, c.field, c.what, c]))(
    '%s with %s over its limit (%s)',
    async (_method, field, _what, c) => {
      const status = await c.call(stack.raw);
      expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(status.details.startsWith(`${field} is `) || status.details.startsWith(`${field} has `)).toBe(
        true,
      );
      expect(Buffer.byteLength(status.details)).toBeLessThan(2048);
      expect(status.metadataBytes).toBeLessThan(4096);
    },
  );

  it('created no run', async () => {
    expect((await stack.client.listRuns()).runs).toEqual([]);
  });
});

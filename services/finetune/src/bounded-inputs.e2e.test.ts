// Oversized strings and lists (issue 14): each answered at once with INVALID_ARGUMENT naming the field,
// in a short status, and nothing created. Every string and repeated field of every FinetuneService RPC.
import * as grpc from '@grpc/grpc-js';
import type { common } from '@headstart/proto';
import { finetune } from '@headstart/proto';
import { oversizedCalls } from '@headstart/service-kit/testing';

import { call, startStack, type Stack } from './test-support/stack';

const latest = (name: string): common.VersionRef => ({ name, selector: { $case: 'latest', latest: true } });
const spec = { baseModel: latest('bert'), dataset: latest('spam'), outputModelName: 'out' };
const none = <T>(type: T) => ({ type });
const cases = oversizedCalls(finetune.FinetuneServiceService, {
  createTrigger: {
    type: finetune.CreateTriggerRequest,
    base: { trigger: { baseModelName: 'bert', spec, alias: 'prod' } },
  },
  listTriggers: none(finetune.ListTriggersRequest),
  deleteTrigger: none(finetune.DeleteTriggerRequest),
  startFinetune: { type: finetune.StartFinetuneRequest, base: { spec } },
  getFinetune: none(finetune.GetFinetuneRequest),
  listFinetunes: none(finetune.ListFinetunesRequest),
  watchFinetune: none(finetune.WatchFinetuneRequest),
  cancelFinetune: none(finetune.CancelFinetuneRequest),
  classify: { type: finetune.ClassifyRequest, base: { model: latest('out'), texts: ['hello'] } },
  fillMask: { type: finetune.FillMaskRequest, base: { model: latest('bert'), text: 'a [MASK]' } },
  startStudy: {
    type: finetune.StartStudyRequest,
    base: { spec: { baseModel: latest('bert'), dataset: latest('spam'), reportModelName: 'report' } },
  },
  getStudy: none(finetune.GetStudyRequest),
  listStudies: none(finetune.ListStudiesRequest),
  watchStudy: none(finetune.WatchStudyRequest),
  cancelStudy: none(finetune.CancelStudyRequest),
});

describe('finetune bounds every string and repeated field', () => {
  let stack: Stack;
  let api: finetune.FinetuneServiceClient;

  beforeAll(async () => {
    stack = await startStack();
    await stack.startService(); // no worker, and no models or datasets: nothing could run anyway
    api = stack.api as finetune.FinetuneServiceClient;
  });
  afterAll(() => stack?.close());

  it.each(cases.map((c) => [c.method, c.field, c.what, c]))(
    '%s with %s over its limit (%s)',
    async (_method, field, _what, c) => {
      const status = await c.call(api);
      expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(status.details.startsWith(`${field} is `) || status.details.startsWith(`${field} has `)).toBe(
        true,
      );
      expect(Buffer.byteLength(status.details)).toBeLessThan(2048);
      expect(status.metadataBytes).toBeLessThan(4096);
    },
  );

  it('created no trigger, job or study', async () => {
    const list = finetune.ListFinetunesRequest.fromPartial({});
    expect((await call(api, api.listTriggers, { baseModelName: '' })).triggers).toEqual([]);
    expect((await call(api, api.listFinetunes, list)).finetunes).toEqual([]);
    const studies = finetune.ListStudiesRequest.fromPartial({});
    expect((await call(api, api.listStudies, studies)).studies).toEqual([]);
  });
});

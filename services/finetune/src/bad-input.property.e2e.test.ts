// The bad-input property suite (issue 14) over every FinetuneService RPC, generated from the descriptor
// set: hostile requests get a specific, short status, the API stays healthy, and a refused call changes
// nothing (triggers, jobs and studies with their states compared before and after). No worker: jobs stay
// queued. HEADSTART_PROPERTY_RUNS=<cases> and HEADSTART_PROPERTY_SEED=<seed> size and replay it
// (docs/benchmarks.md).
import { finetune } from '@headstart/proto';
import { runHostileSuite } from '@headstart/service-kit/testing';

import { call, startStack, type Stack } from './test-support/stack';
import {
  registerCheckpoint,
  registerDataset,
  registerTinyTokenizer,
  tinyTaskRows,
  toJsonl,
  useTestBackend,
} from './test-support/tiny-task';

jest.setTimeout(600_000);

let stack: Stack;
let api: finetune.FinetuneServiceClient;
const ids: string[] = [];

beforeAll(async () => {
  await useTestBackend();
  stack = await startStack();
  await stack.startService();
  api = stack.api as finetune.FinetuneServiceClient;
  const base = await registerTinyTokenizer(stack.client);
  // bert:1 deleted, bert:2 a final checkpoint; a labelled dataset.
  await registerCheckpoint(stack.client, base, 'bert');
  await registerCheckpoint(stack.client, base, 'bert', { final: true, aliases: ['prod'] });
  await stack.client.deleteVersion('bert:1');
  await registerDataset(stack.client, 'spam', toJsonl(tinyTaskRows({ train: 5, dev: 2, test: 2 })));
  const latest = (name: string) => ({ name, selector: { $case: 'latest' as const, latest: true as const } });
  const spec = finetune.FinetuneSpec.fromPartial({ baseModel: latest('bert'), dataset: latest('spam') });
  const job = await call(api, api.startFinetune, { spec, idempotencyKey: '' });
  ids.push(job.finetune?.id ?? '');
  const trigger = await call(api, api.createTrigger, {
    trigger: finetune.Trigger.fromPartial({ baseModelName: 'bert', spec }),
  });
  ids.push(trigger.trigger?.id ?? '');
});
afterAll(() => stack?.close());

async function snapshot(): Promise<unknown> {
  const all = { pageSize: 1000 };
  const triggers = (await call(api, api.listTriggers, { baseModelName: '' })).triggers.map((t) => t.id);
  const jobs = (await call(api, api.listFinetunes, finetune.ListFinetunesRequest.fromPartial(all))).finetunes;
  const studies = (await call(api, api.listStudies, finetune.ListStudiesRequest.fromPartial(all))).studies;
  return {
    triggers: triggers.sort(),
    jobs: jobs.map((j) => [j.id, j.state]).sort(),
    studies: studies.map((s) => [s.id, s.state]).sort(),
  };
}

it('answers hostile requests to every RPC precisely, stays healthy and changes nothing it refused', async () => {
  const report = await runHostileSuite({
    address: `127.0.0.1:${stack.service?.port}`,
    service: 'headstart.finetune.v1.FinetuneService',
    context: {
      strings: [
        ...ids,
        'bert',
        'spam',
        'tiny-wordpiece',
        'prod',
        'ghost',
        'ft_missing',
        'text',
        'label',
        'a [MASK]',
      ],
      numbers: [1, 2, 3],
    },
    snapshot,
  });
  console.log(report.table());
  expect(report.failures).toEqual([]);
});

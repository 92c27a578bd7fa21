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
const latest = (name: string) => ({ name, selector: { $case: 'latest' as const, latest: true as const } });

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
    bases: bases(),
  });
  console.log(report.table());
  expect(report.failures).toEqual([]);
});

/** A valid request of each RPC (on the job, trigger and models above); each case patches one field. */
function bases(): Record<string, Uint8Array> {
  const F = finetune;
  const spec = F.FinetuneSpec.fromPartial({ baseModel: latest('bert'), dataset: latest('spam') });
  const [jobId = '', triggerId = ''] = ids;
  return {
    CreateTrigger: F.CreateTriggerRequest.encode({
      trigger: F.Trigger.fromPartial({ baseModelName: 'bert', spec }),
    }).finish(),
    ListTriggers: F.ListTriggersRequest.encode({ baseModelName: 'bert' }).finish(),
    DeleteTrigger: F.DeleteTriggerRequest.encode({ triggerId }).finish(),
    StartFinetune: F.StartFinetuneRequest.encode({ spec, idempotencyKey: '' }).finish(),
    GetFinetune: F.GetFinetuneRequest.encode({ finetuneId: jobId }).finish(),
    ListFinetunes: F.ListFinetunesRequest.encode(
      F.ListFinetunesRequest.fromPartial({ pageSize: 10 }),
    ).finish(),
    WatchFinetune: F.WatchFinetuneRequest.encode({ finetuneId: jobId }).finish(),
    CancelFinetune: F.CancelFinetuneRequest.encode({ finetuneId: jobId }).finish(),
    Classify: F.ClassifyRequest.encode({ model: latest('bert'), texts: ['free cash now'] }).finish(),
    FillMask: F.FillMaskRequest.encode({ model: latest('bert'), text: 'free [MASK] now', topK: 3 }).finish(),
    StartStudy: F.StartStudyRequest.encode(
      F.StartStudyRequest.fromPartial({ spec: { baseModel: latest('bert'), dataset: latest('spam') } }),
    ).finish(),
    GetStudy: F.GetStudyRequest.encode({ studyId: 'st_missing' }).finish(),
    ListStudies: F.ListStudiesRequest.encode(F.ListStudiesRequest.fromPartial({ pageSize: 10 })).finish(),
    WatchStudy: F.WatchStudyRequest.encode({ studyId: 'st_missing' }).finish(),
    CancelStudy: F.CancelStudyRequest.encode({ studyId: 'st_missing' }).finish(),
  };
}

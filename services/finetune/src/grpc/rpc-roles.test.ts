import { finetune } from '@headstart/proto';
import { unclassifiedRpcs } from '@headstart/service-kit/testing';

import { finetuneRpcRoles } from './rpc-roles';

test('every FinetuneService RPC has a role (read, write or admin)', () => {
  expect(unclassifiedRpcs(finetune.FinetuneServiceService, finetuneRpcRoles)).toEqual({
    missing: [],
    unknown: [],
  });
});

import { pretrain } from '@headstart/proto';
import { unclassifiedRpcs } from '@headstart/service-kit/testing';

import { pretrainRpcRoles } from './rpc-roles';

test('every PretrainService RPC has a role (read, write or admin)', () => {
  expect(unclassifiedRpcs(pretrain.PretrainServiceService, pretrainRpcRoles)).toEqual({
    missing: [],
    unknown: [],
  });
});

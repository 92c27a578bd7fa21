import { registry } from '@headstart/proto';
import { unclassifiedRpcs } from '@headstart/service-kit/testing';

import { registryRpcRoles } from './rpc-roles';

test('every RegistryService RPC has a role (read, write or admin)', () => {
  expect(unclassifiedRpcs(registry.RegistryServiceService, registryRpcRoles)).toEqual({
    missing: [],
    unknown: [],
  });
});

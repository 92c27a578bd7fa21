import { ingest } from '@headstart/proto';
import { unclassifiedRpcs } from '@headstart/service-kit/testing';

import { ingestRpcRoles } from './rpc-roles';

test('every IngestService RPC has a role (read, write or admin)', () => {
  expect(unclassifiedRpcs(ingest.IngestServiceService, ingestRpcRoles)).toEqual({ missing: [], unknown: [] });
});

import type { ingest } from '@headstart/proto';
import type { RpcRoles } from '@headstart/service-kit';

/** The role each IngestService RPC needs when authentication is on (the compiler refuses a missing RPC). */
export const ingestRpcRoles: RpcRoles<ingest.IngestServiceServer> = {
  uploadCorpus: 'write',
  createCorpusFromDataset: 'write',
  startTrainTokenizer: 'write',
  startTokenize: 'write',
  getJob: 'read',
  watchJob: 'read',
  cancelJob: 'write',
  listJobs: 'read',
};

import type { pretrain } from '@headstart/proto';
import type { RpcRoles } from '@headstart/service-kit';

/** The role each PretrainService RPC needs when authentication is on (the compiler refuses a missing RPC). */
export const pretrainRpcRoles: RpcRoles<pretrain.PretrainServiceServer> = {
  startRun: 'write',
  getRun: 'read',
  listRuns: 'read',
  watchRun: 'read',
  cancelRun: 'write',
};

import type { finetune } from '@headstart/proto';
import type { RpcRoles } from '@headstart/service-kit';

/** The role each FinetuneService RPC needs when authentication is on (the compiler refuses a missing RPC). */
export const finetuneRpcRoles: RpcRoles<finetune.FinetuneServiceServer> = {
  createTrigger: 'write',
  listTriggers: 'read',
  deleteTrigger: 'admin',
  startFinetune: 'write',
  getFinetune: 'read',
  listFinetunes: 'read',
  watchFinetune: 'read',
  cancelFinetune: 'write',
  classify: 'read',
  fillMask: 'read',
  startStudy: 'write',
  getStudy: 'read',
  listStudies: 'read',
  watchStudy: 'read',
  cancelStudy: 'write',
};

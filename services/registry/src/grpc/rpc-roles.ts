import type { registry } from '@headstart/proto';
import type { RpcRoles } from '@headstart/service-kit';

/**
 * The role each RegistryService RPC needs when authentication is on (the compiler refuses a missing
 * RPC). SetAlias also needs admin for a protected alias (registry-handlers.ts).
 */
export const registryRpcRoles: RpcRoles<registry.RegistryServiceServer> = {
  createVersion: 'write',
  getVersion: 'read',
  getModel: 'read',
  listModels: 'read',
  searchVersions: 'read',
  setAlias: 'write',
  deleteAlias: 'admin',
  getAliasHistory: 'read',
  setTags: 'write',
  getLineage: 'read',
  downloadArtifact: 'read',
  deleteVersion: 'admin',
};

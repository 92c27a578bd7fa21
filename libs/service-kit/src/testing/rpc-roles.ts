import type * as grpc from '@grpc/grpc-js';

import type { Role } from '../auth/roles';

const ROLES: readonly string[] = ['public', 'read', 'write', 'admin'];

/**
 * The RPCs of `definition` without a valid role in `roles`, and the roles of RPCs the service does not
 * have: both must be empty (each service's rpc-roles test).
 */
export function unclassifiedRpcs(
  definition: grpc.ServiceDefinition,
  roles: Readonly<Record<string, Role>>,
): { missing: string[]; unknown: string[] } {
  const missing = Object.entries(definition)
    .filter(([name]) => !ROLES.includes(roles[name] as string))
    .map(([, method]) => method.path);
  const unknown = Object.keys(roles).filter((name) => !(name in definition));
  return { missing, unknown };
}

import { HeadstartError, Code } from '@headstart/errors';
import type * as grpc from '@grpc/grpc-js';

/**
 * What an RPC needs: `read` (lookups, downloads, lineage, predictions, watches), `write` (create
 * versions, start runs, fine-tunes and studies, triggers, uploads, cancels), `admin` (protected aliases,
 * deletes). Each role includes the ones before it; `public` needs no credential (health only).
 */
export type Role = 'public' | 'read' | 'write' | 'admin';

/** The roles a credential may hold (a tokens file entry's `roles`). */
export const GRANTABLE_ROLES = ['read', 'write', 'admin'] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

const RANK: Record<Role, number> = { public: 0, read: 1, write: 2, admin: 3 };

/**
 * The role of every RPC of one service, keyed like its implementation (`createVersion`, ...). Typed
 * against the generated server interface, so the compiler refuses a table that misses an RPC, and
 * `createService` refuses to start a service whose table misses one.
 */
export type RpcRoles<Server> = { readonly [K in keyof Server]: Role };

/** True when someone holding `held` may call an RPC that needs `needed`. */
export function satisfies(held: readonly GrantableRole[], needed: Role): boolean {
  return held.some((role) => RANK[role] >= RANK[needed]);
}

/** Metadata the auth interceptor sets on every call after it removed what a client sent under it. */
export const IDENTITY_METADATA_KEY = 'x-headstart-authenticated-identity';
export const ROLES_METADATA_KEY = 'x-headstart-authenticated-roles';

/** Who made the call, or undefined when authentication is off. */
export function authenticatedIdentity(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get(IDENTITY_METADATA_KEY)[0];
  return typeof value === 'string' ? value : undefined;
}

function rolesOf(metadata: grpc.Metadata): GrantableRole[] {
  const value = metadata.get(ROLES_METADATA_KEY)[0];
  if (typeof value !== 'string' || value === '') return [];
  return value
    .split(',')
    .filter((r): r is GrantableRole => (GRANTABLE_ROLES as readonly string[]).includes(r));
}

/** The PERMISSION_DENIED error naming the missing role. */
export function missingRole(
  identity: string,
  needed: Role,
  what: string,
  held: readonly string[],
): HeadstartError {
  return new HeadstartError(
    Code.PERMISSION_DENIED,
    `${identity} lacks the role '${needed}' that ${what} needs (holds: ${held.join(', ') || 'none'})`,
    { details: { role: needed } },
  );
}

/**
 * For a handler whose request needs more than its RPC's role (moving a protected alias needs admin):
 * throws PERMISSION_DENIED unless the authenticated caller holds `needed`. Does nothing when
 * authentication is off.
 */
export function requireRole(metadata: grpc.Metadata, needed: Role, what: string): void {
  const identity = authenticatedIdentity(metadata);
  if (identity === undefined) return;
  const held = rolesOf(metadata);
  if (!satisfies(held, needed)) throw missingRole(identity, needed, what, held);
}

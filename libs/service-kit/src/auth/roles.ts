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

/**
 * The caller of each admitted call, keyed by the call's metadata object (grpc-js hands the handler the
 * object the interceptor passed on). Nothing a client sends can put an entry here.
 */
const callers = new WeakMap<grpc.Metadata, { identity: string; roles: readonly GrantableRole[] }>();

/** For the auth interceptor: records who made the call whose metadata this is. */
export function admitCaller(
  metadata: grpc.Metadata,
  caller: { identity: string; roles: readonly GrantableRole[] },
): void {
  callers.set(metadata, caller);
}

/** Who made the call, or undefined when authentication is off. */
export function authenticatedIdentity(metadata: grpc.Metadata): string | undefined {
  return callers.get(metadata)?.identity;
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
  const caller = callers.get(metadata);
  if (caller === undefined) return;
  if (!satisfies(caller.roles, needed)) throw missingRole(caller.identity, needed, what, caller.roles);
}

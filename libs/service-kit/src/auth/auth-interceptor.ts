// One grpc-js server interceptor for every service of a server, installed when authentication is on: it
// authenticates the caller (bearer token, else the verified client certificate), checks the RPC's role,
// and records the caller for the handlers (authenticatedIdentity, keyed by the call's metadata object,
// so no header a client sends can claim an identity).
import * as grpc from '@grpc/grpc-js';

import type { Logger } from '../logger';
import { looksLikeJwt, type JwtVerifier } from './jwt-verifier';
import { admitCaller, missingRole, satisfies, type Role } from './roles';
import type { Principal, TokenStore } from './token-store';

/** What a server accepts: static tokens and client certificates (tokens file), OIDC JWTs (JWKS), or both. */
export interface Credentials {
  tokens?: TokenStore | undefined;
  jwt?: JwtVerifier | undefined;
}

/** Method path → the role it needs. */
export type RoleTable = ReadonlyMap<string, Role>;

interface Denial {
  code: grpc.status;
  details: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function certificateName(call: grpc.ServerInterceptingCallInterface): string | undefined {
  const peer = call.getAuthContext().sslPeerCertificate;
  // grpc-js only hands over certificates the TLS layer verified against the CA.
  const cn = peer?.subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}

/** The caller, or why it is not authenticated (the message never repeats the token). */
/** A bearer token's principal: a JWT when a JWKS is configured and it looks like one, else a static token. */
function byBearer(token: string, credentials: Credentials, path: string): Principal | Denial | undefined {
  if (credentials.jwt && looksLikeJwt(token)) {
    const verified = credentials.jwt.verify(token);
    if ('rejected' in verified)
      return { code: grpc.status.UNAUTHENTICATED, details: `${path}: ${verified.rejected}` };
    return verified;
  }
  return credentials.tokens?.byToken(token);
}

function authenticate(
  metadata: grpc.Metadata,
  call: grpc.ServerInterceptingCallInterface,
  credentials: Credentials,
  path: string,
): Principal | Denial {
  const header = metadata.get('authorization')[0];
  if (typeof header === 'string') {
    const token = BEARER.exec(header)?.[1];
    const principal = token === undefined ? undefined : byBearer(token, credentials, path);
    if (principal) return principal;
    return {
      code: grpc.status.UNAUTHENTICATED,
      details:
        token === undefined
          ? `${path}: the authorization metadata is not 'Bearer <token>'`
          : `${path}: the bearer token is not known (mistyped, or revoked)`,
    };
  }
  const cn = certificateName(call);
  const principal = cn === undefined ? undefined : credentials.tokens?.byCertificate(cn);
  if (principal) return principal;
  return {
    code: grpc.status.UNAUTHENTICATED,
    details:
      cn === undefined
        ? `${path} needs a credential: a bearer token (HEADSTART_TOKEN) or a known client certificate`
        : `${path}: the client certificate '${cn}' is not in the tokens file`,
  };
}

function authorize(principal: Principal, needed: Role, path: string): Denial | undefined {
  if (satisfies(principal.roles, needed)) return undefined;
  const err = missingRole(principal.identity, needed, path, principal.roles);
  return { code: grpc.status.PERMISSION_DENIED, details: err.message };
}

/** Checks one call's metadata: undefined to go on (the caller recorded), or a denial. */
function admit(
  metadata: grpc.Metadata,
  call: grpc.ServerInterceptingCallInterface,
  path: string,
  roles: RoleTable,
  credentials: Credentials,
): Denial | undefined {
  const needed = roles.get(path) ?? 'admin';
  if (needed === 'public') return undefined;
  const principal = authenticate(metadata, call, credentials, path);
  if ('code' in principal) return principal;
  const denied = authorize(principal, needed, path);
  if (denied) return denied;
  admitCaller(metadata, principal);
  return undefined;
}

/** The interceptor. Denials are logged at info with the RPC and the reason, never the token. */
export function authInterceptor(
  roles: RoleTable,
  credentials: Credentials,
  logger: Logger,
): grpc.ServerInterceptor {
  return (method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const denied = admit(metadata, call, method.path, roles, credentials);
            if (denied === undefined) {
              nextMetadata(metadata);
              return;
            }
            logger.info({ rpc: method.path, peer: call.getPeer(), code: denied.code }, denied.details);
            call.sendStatus({ code: denied.code, details: denied.details });
          },
        }),
    });
}

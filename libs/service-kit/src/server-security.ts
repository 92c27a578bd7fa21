// What createService needs from SecuritySettings: the server credentials and the auth interceptor with
// the role of every RPC of the server.
import type * as grpc from '@grpc/grpc-js';

import { authInterceptor } from './auth/auth-interceptor';
import type { Role } from './auth/roles';
import { openJwtVerifier } from './auth/jwt-verifier';
import { openTokenStore } from './auth/token-store';
import { HEALTH_SERVICE_NAME } from './introspection';
import type { Logger } from './logger';
import type { SecuritySettings } from './security-config';
import { serverCredentialsOf } from './tls-credentials';

interface RegisteredService {
  definition: grpc.ServiceDefinition;
  roles?: Readonly<Record<string, Role>>;
}

export interface ServerSecurity {
  credentials: grpc.ServerCredentials;
  /** The auth interceptor, or none when authentication is off (no cost per call then). */
  interceptors: grpc.ServerInterceptor[];
  /** For the "listening" log line. */
  tls: 'off' | 'tls' | 'mtls';
  auth: 'off' | 'on';
}

/** Method path → role for every RPC of `services`; throws naming the RPCs without a role when `strict`. */
export function roleTableOf(services: readonly RegisteredService[], strict: boolean): Map<string, Role> {
  const table = new Map<string, Role>();
  const missing: string[] = [];
  for (const { definition, roles } of services) {
    for (const [name, method] of Object.entries(definition)) {
      const role = roles?.[name];
      if (role === undefined) missing.push(method.path);
      else table.set(method.path, role);
    }
  }
  if (strict && missing.length > 0) {
    throw new Error(`authentication is on but these RPCs have no role: ${missing.join(', ')}`);
  }
  table.set(`/${HEALTH_SERVICE_NAME}/Check`, 'public');
  table.set(`/${HEALTH_SERVICE_NAME}/Watch`, 'public');
  table.set('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', 'read');
  table.set('/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', 'read');
  return table;
}

export function serverSecurityOf(
  services: readonly RegisteredService[],
  settings: SecuritySettings | undefined,
  logger: Logger,
): ServerSecurity {
  const tokensFile = settings?.authTokensFile;
  const tokens =
    tokensFile === undefined
      ? undefined
      : openTokenStore(tokensFile, (err) =>
          logger.warn({ err, file: tokensFile }, 'tokens file not reloaded; the last good one stays'),
        );
  const jwtSettings = settings?.authJwt;
  const jwt =
    jwtSettings === undefined
      ? undefined
      : openJwtVerifier(jwtSettings, (err) =>
          logger.warn({ err, file: jwtSettings.jwksFile }, 'JWKS file not reloaded; the last good one stays'),
        );
  const authOn = tokens !== undefined || jwt !== undefined;
  const tls = settings?.tls;
  return {
    credentials: serverCredentialsOf(tls),
    interceptors: authOn ? [authInterceptor(roleTableOf(services, true), { tokens, jwt }, logger)] : [],
    tls: tls === undefined ? 'off' : tls.requireClientCert ? 'mtls' : 'tls',
    auth: authOn ? 'on' : 'off',
  };
}

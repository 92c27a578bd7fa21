import type { JwtSettings } from './auth/jwt-verifier';
import type { ConfigSpec } from './config';

/** TLS files of one process: its gRPC server and the connections it opens to the other services. */
export interface TlsSettings {
  /** PEM certificate chain the server presents, and the client certificate of its connections (mTLS). */
  certFile?: string | undefined;
  /** PEM private key of `certFile`. */
  keyFile?: string | undefined;
  /** PEM CA bundle: verifies the servers this process connects to, and client certificates. */
  caFile?: string | undefined;
  /** The server refuses connections without a client certificate signed by `caFile`. */
  requireClientCert?: boolean | undefined;
  /** Name checked in the servers' certificates instead of the host of the address (IP addresses). */
  serverNameOverride?: string | undefined;
  /** How often the files are read again, so a renewed certificate is used without a restart. */
  reloadIntervalMs?: number | undefined;
}

/** Everything a process needs to serve and call securely; from `securityOf(config)` in main.ts. */
export interface SecuritySettings {
  tls?: TlsSettings | undefined;
  /** Tokens file of the server (auth on when set), see auth-tokens.ts. */
  authTokensFile?: string | undefined;
  /** OIDC JWTs the server accepts (auth on when set), see auth/jwt-verifier.ts. */
  authJwt?: JwtSettings | undefined;
  /** Bearer token the process's clients send. */
  token?: string | undefined;
  /** A plaintext port serving only grpc.health.v1 (kubelet gRPC probes cannot speak TLS). */
  probePort?: number | undefined;
  /** NATS credentials file (user JWT and NKEY seed) of the process's NATS connection. */
  natsCredsFile?: string | undefined;
  /** NATS user and password of the process's NATS connection. */
  natsUser?: string | undefined;
  natsPassword?: string | undefined;
}

/**
 * The variables of TLS and authentication every service and worker process reads; spread it into a
 * process's spec (before `observabilityConfigSpec`). All unset: plaintext and no authentication, the
 * embedded local stack on loopback.
 */
export const securityConfigSpec = {
  tlsCert: {
    env: 'HEADSTART_TLS_CERT',
    type: 'string',
    required: false,
    description:
      'PEM certificate (chain) file: the gRPC server presents it and the clients use it for mTLS; TLS is on when this, the key or the CA is set.',
  },
  tlsKey: {
    env: 'HEADSTART_TLS_KEY',
    type: 'string',
    required: false,
    description: 'PEM private key file of HEADSTART_TLS_CERT.',
  },
  tlsCa: {
    env: 'HEADSTART_TLS_CA',
    type: 'string',
    required: false,
    description: 'PEM CA bundle file that verifies the servers this process calls and client certificates.',
  },
  tlsRequireClientCert: {
    env: 'HEADSTART_TLS_REQUIRE_CLIENT_CERT',
    type: 'boolean',
    default: false,
    description: 'mTLS: the server refuses clients without a certificate signed by HEADSTART_TLS_CA.',
  },
  tlsServerName: {
    env: 'HEADSTART_TLS_SERVER_NAME',
    type: 'string',
    required: false,
    description: "Name checked in servers' certificates instead of the address's host (default: the host).",
  },
  tlsReloadMs: {
    env: 'HEADSTART_TLS_RELOAD_MS',
    type: 'int',
    min: 1_000,
    default: 60_000,
    description: 'How often the certificate, key and CA files are read again (rotation without restart).',
  },
  probePort: {
    env: 'HEADSTART_PROBE_PORT',
    type: 'port',
    required: false,
    description:
      'A plaintext port of the gRPC server that serves only grpc.health.v1, for kubelet probes when the main port needs TLS.',
  },
  authTokensFile: {
    env: 'HEADSTART_AUTH_TOKENS_FILE',
    type: 'string',
    required: false,
    description:
      'JSON file of SHA-256 token hashes with identities and roles; when set, every RPC needs a credential (off when unset).',
  },
  authJwksFile: {
    env: 'HEADSTART_AUTH_JWKS_FILE',
    type: 'string',
    required: false,
    description:
      "JWKS file of the OIDC provider's signing keys: bearer JWTs it signed are accepted (with HEADSTART_AUTH_JWT_ISSUER and _AUDIENCE); auth is on when this or the tokens file is set.",
  },
  authJwtIssuer: {
    env: 'HEADSTART_AUTH_JWT_ISSUER',
    type: 'string',
    required: false,
    description: 'The iss every accepted JWT carries (required with HEADSTART_AUTH_JWKS_FILE).',
  },
  authJwtAudience: {
    env: 'HEADSTART_AUTH_JWT_AUDIENCE',
    type: 'string',
    required: false,
    description: 'The audience every accepted JWT is for (required with HEADSTART_AUTH_JWKS_FILE).',
  },
  authJwtRolesClaim: {
    env: 'HEADSTART_AUTH_JWT_ROLES_CLAIM',
    type: 'string',
    default: 'roles',
    description: 'JWT claim holding the roles (read, write, admin), a list or a space-separated string.',
  },
  natsCreds: {
    env: 'HEADSTART_NATS_CREDS',
    type: 'string',
    required: false,
    description:
      'NATS credentials file (user JWT and NKEY seed), read at every connection; TLS to NATS follows a tls:// HEADSTART_NATS_URL with the HEADSTART_TLS_* files.',
  },
  natsUser: {
    env: 'HEADSTART_NATS_USER',
    type: 'string',
    required: false,
    description: 'NATS user of this process (with HEADSTART_NATS_PASSWORD); a URL cannot carry it.',
  },
  natsPassword: {
    env: 'HEADSTART_NATS_PASSWORD',
    type: 'string',
    required: false,
    secret: true,
    description: 'Password of HEADSTART_NATS_USER.',
  },
  token: {
    env: 'HEADSTART_TOKEN',
    type: 'string',
    required: false,
    secret: true,
    description: 'Bearer token the clients of this process send to the other services.',
  },
} as const satisfies ConfigSpec;

/** The fields `securityConfigSpec` adds to a process's config. */
export interface SecurityConfigValues {
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  tlsCa?: string | undefined;
  tlsRequireClientCert: boolean;
  tlsServerName?: string | undefined;
  tlsReloadMs: number;
  probePort?: number | undefined;
  authTokensFile?: string | undefined;
  authJwksFile?: string | undefined;
  authJwtIssuer?: string | undefined;
  authJwtAudience?: string | undefined;
  authJwtRolesClaim?: string | undefined;
  natsCreds?: string | undefined;
  natsUser?: string | undefined;
  natsPassword?: string | undefined;
  token?: string | undefined;
}

/**
 * The settings of a config read with `securityConfigSpec`: TLS when any of the certificate, key or CA is
 * set (an incomplete set then fails at start, naming what is missing, rather than falling back to
 * plaintext).
 */
export function securityOf(config: SecurityConfigValues): SecuritySettings {
  const tlsOn = config.tlsCert !== undefined || config.tlsKey !== undefined || config.tlsCa !== undefined;
  return {
    tls: tlsOn
      ? {
          certFile: config.tlsCert,
          keyFile: config.tlsKey,
          caFile: config.tlsCa,
          requireClientCert: config.tlsRequireClientCert,
          serverNameOverride: config.tlsServerName,
          reloadIntervalMs: config.tlsReloadMs,
        }
      : undefined,
    authTokensFile: config.authTokensFile,
    authJwt: jwtSettingsOf(config),
    token: config.token,
    probePort: config.probePort,
    natsCredsFile: config.natsCreds,
    natsUser: config.natsUser,
    natsPassword: config.natsPassword,
  };
}

/** The JWT settings when a JWKS file is set; issuer and audience are then required (a token from any
 * issuer, or for any service, must not be accepted). */
function jwtSettingsOf(config: SecurityConfigValues): JwtSettings | undefined {
  if (config.authJwksFile === undefined) return undefined;
  const missing = [
    ...(config.authJwtIssuer ? [] : ['HEADSTART_AUTH_JWT_ISSUER']),
    ...(config.authJwtAudience ? [] : ['HEADSTART_AUTH_JWT_AUDIENCE']),
  ];
  if (missing.length > 0) {
    throw new Error(
      `HEADSTART_AUTH_JWKS_FILE is set but ${missing.join(' and ')} is not: set the provider's issuer and this service's audience`,
    );
  }
  return {
    jwksFile: config.authJwksFile,
    issuer: config.authJwtIssuer as string,
    audience: config.authJwtAudience as string,
    rolesClaim: config.authJwtRolesClaim,
  };
}

// OIDC bearer JWTs against a real gRPC server: tokens signed in the test with RS256 and ES256 keys whose
// public halves are in a JWKS file, as a provider's jwks_uri document would give them.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { Code } from '@headstart/errors';
import { registry } from '@headstart/proto';
import { makeTempDir, type TempDir } from '@headstart/testing';

import { parseJwks, verifyJwt } from './auth/jwt-verifier';
import type { Role } from './auth/roles';
import { bearerTokenInterceptor } from './client-security';
import { createService, type RunningService } from './create-service';
import { securityOf } from './security-config';
import { fixtureImplementation, getVersion, memoryLogger, Observations } from './test-fixture';

const ISSUER = 'https://id.example.test/';
const AUDIENCE = 'headstart-registry';

const roles: Record<string, Role> = Object.fromEntries(
  Object.keys(registry.RegistryServiceService).map((name) => [
    name,
    name === 'getVersion' ? 'read' : 'write',
  ]),
);

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed with `key` (RS256, or ES256 for an EC key); `claims` override the valid defaults. */
function jwt(claims: Record<string, unknown>, key = rsa.privateKey, kid = 'rsa-1'): string {
  const now = Math.floor(Date.now() / 1000);
  const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  const head = b64({ alg, typ: 'JWT', kid });
  const body = b64({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'alice',
    exp: now + 300,
    iat: now,
    roles: ['read'],
    ...claims,
  });
  const signature = crypto.sign('sha256', Buffer.from(`${head}.${body}`), {
    key,
    ...(alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {}),
  });
  return `${head}.${body}.${signature.toString('base64url')}`;
}

describe('OIDC bearer JWTs', () => {
  let tmp: TempDir;
  let jwksFile: string;
  let service: RunningService;
  let address: string;
  const clients: grpc.Client[] = [];

  beforeAll(async () => {
    tmp = await makeTempDir('kit-jwt-');
    jwksFile = `${tmp.path}/jwks.json`;
    const keys = [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', use: 'sig', alg: 'RS256' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig', alg: 'ES256' },
    ];
    fs.writeFileSync(jwksFile, JSON.stringify({ keys }));
    const security = securityOf({
      tlsRequireClientCert: false,
      tlsReloadMs: 60_000,
      authJwksFile: jwksFile,
      authJwtIssuer: ISSUER,
      authJwtAudience: AUDIENCE,
      authJwtRolesClaim: 'roles',
    });
    service = await createService({
      name: 'kit-jwt-test',
      host: '127.0.0.1',
      port: 0,
      logger: memoryLogger().logger,
      services: [
        {
          definition: registry.RegistryServiceService,
          implementation: fixtureImplementation(new Observations()),
          roles,
        },
      ],
      security,
    });
    address = service.address;
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await service?.shutdown('test done');
    await tmp?.remove();
  });

  const connect = (token: string) => {
    const client = new registry.RegistryServiceClient(address, grpc.credentials.createInsecure(), {
      interceptors: [bearerTokenInterceptor(token)],
    });
    clients.push(client);
    return client;
  };
  const statusOf = (token: string) =>
    getVersion(connect(token), 'm').then(
      () => ({ code: Code.OK, details: '' }),
      (err: grpc.ServiceError) => ({ code: err.code, details: err.details }),
    );
  const setAlias = (token: string) =>
    new Promise<{ code: number; details: string }>((resolve) =>
      connect(token).setAlias(
        registry.SetAliasRequest.fromPartial({ modelName: 'm', alias: 'production', version: 1 }),
        (err) => resolve({ code: err?.code ?? Code.OK, details: err?.details ?? '' }),
      ),
    );

  it('accepts a valid token signed by a key of the JWKS (RS256 and ES256), with its roles', async () => {
    expect(await statusOf(jwt({}))).toEqual({ code: Code.OK, details: '' });
    expect(await statusOf(jwt({}, ec.privateKey, 'ec-1'))).toEqual({ code: Code.OK, details: '' });
    // read only: a write RPC is PERMISSION_DENIED naming the role and the subject, not the token.
    const denied = await setAlias(jwt({ roles: 'read' }));
    expect(denied.code).toBe(Code.PERMISSION_DENIED);
    expect(denied.details).toMatch(/alice.*write|write.*alice/);
  });

  it.each([
    ['expired', () => jwt({ exp: Math.floor(Date.now() / 1000) - 3_600 }), /has expired/],
    ['for another audience', () => jwt({ aud: 'someone-else' }), /not for audience headstart-registry/],
    ['from another issuer', () => jwt({ iss: 'https://evil.test/' }), /issuer is not/],
    ['signed by a key outside the JWKS', () => jwt({}, stranger.privateKey), /signature does not verify/],
    ['without a role', () => jwt({ roles: ['superuser'] }), /roles claim grants none/],
    ['not yet valid', () => jwt({ nbf: Math.floor(Date.now() / 1000) + 3_600 }), /not valid yet/],
  ])('answers UNAUTHENTICATED for a token %s, saying why', async (_name, token, why) => {
    const status = await statusOf(token());
    expect(status.code).toBe(Code.UNAUTHENTICATED);
    expect(status.details).toMatch(why);
    expect(status.details).not.toContain(token().split('.')[2]);
  });

  it('refuses alg none and a tampered payload', () => {
    const keys = parseJwks(fs.readFileSync(jwksFile, 'utf8'), jwksFile);
    const settings = { jwksFile, issuer: ISSUER, audience: AUDIENCE };
    const [head, body, sig] = jwt({}).split('.') as [string, string, string];
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${body}.${sig}`;
    expect(verifyJwt(none, keys, settings)).toEqual({ rejected: expect.stringMatching(/algorithm "none"/) });
    const admin = b64({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', exp: 9e9, roles: ['admin'] });
    expect(verifyJwt(`${head}.${admin}.${sig}`, keys, settings)).toEqual({
      rejected: expect.stringMatching(/signature does not verify/),
    });
    expect(() =>
      parseJwks(JSON.stringify({ keys: [rsa.privateKey.export({ format: 'jwk' })] }), 'x'),
    ).toThrow(/a private key/);
  });

  it('needs the issuer and the audience with a JWKS file', () => {
    expect(() =>
      securityOf({
        tlsRequireClientCert: false,
        tlsReloadMs: 1,
        authJwksFile: jwksFile,
        authJwtIssuer: ISSUER,
      }),
    ).toThrow(/HEADSTART_AUTH_JWT_AUDIENCE is not/);
  });
});

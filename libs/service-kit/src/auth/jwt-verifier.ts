// Bearer tokens issued by an OIDC provider: JWTs signed with a key of a JWKS file (the provider's
// `jwks_uri` document, saved by the deployment and refreshed by it; the file is read again when it
// changes, as the tokens file is). A token is accepted when its signature verifies (RS256, RS384, RS512,
// ES256, ES384, PS256), it has not expired and is already valid (60 s of clock skew), its issuer and
// audience are the configured ones, and its roles claim grants at least one role. The identity is its
// `sub` claim. Verification is synchronous (node:crypto), so the interceptor stays one step.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

import { GRANTABLE_ROLES, type GrantableRole } from './roles';
import type { Principal } from './token-store';

export interface JwtSettings {
  /** JWKS file (`{"keys": [JWK, ...]}`) of the public keys that sign the tokens. */
  jwksFile: string;
  /** Required `iss`. */
  issuer: string;
  /** Required in `aud` (a string or a list). */
  audience: string;
  /** Claim holding the roles (a list, or a space-separated string). @default 'roles' */
  rolesClaim?: string | undefined;
}

/** A token that does not verify: why, in words a caller can act on (never the token). */
export interface JwtRejection {
  rejected: string;
}

export interface JwtVerifier {
  verify(token: string, nowMs?: number): Principal | JwtRejection;
}

const SKEW_SECONDS = 60;
const RECHECK_MS = 5_000;

/** Algorithm → how node:crypto verifies it. */
const ALGORITHMS: Record<string, { hash: string; options?: Partial<crypto.VerifyKeyObjectInput> }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: {
    hash: 'sha256',
    options: {
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
    },
  },
  ES256: { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { hash: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
};

/** Three base64url segments: what a JWT looks like (a static token never does: no dots). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

interface KeySet {
  byKid: Map<string, crypto.KeyObject>;
  all: crypto.KeyObject[];
}

/** Parses a JWKS document; throws naming the first key that is not a public signing key. */
export function parseJwks(text: string, file: string): KeySet {
  let parsed: { keys?: unknown };
  try {
    parsed = JSON.parse(text) as { keys?: unknown };
  } catch (err) {
    throw new Error(`JWKS file ${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0)
    throw new Error(`JWKS file ${file} has no keys`);
  const byKid = new Map<string, crypto.KeyObject>();
  const all: crypto.KeyObject[] = [];
  parsed.keys.forEach((jwk: { kid?: unknown; use?: unknown; d?: unknown }, i) => {
    if (jwk.d !== undefined)
      throw new Error(`JWKS file ${file}, keys[${i}]: a private key; give the public keys only`);
    if (jwk.use !== undefined && jwk.use !== 'sig') return;
    let key: crypto.KeyObject;
    try {
      key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
    } catch (err) {
      throw new Error(`JWKS file ${file}, keys[${i}]: ${(err as Error).message}`, { cause: err });
    }
    all.push(key);
    if (typeof jwk.kid === 'string') byKid.set(jwk.kid, key);
  });
  return { byKid, all };
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function signatureVerifies(token: string, header: Record<string, unknown>, keys: KeySet): boolean {
  const algorithm = ALGORITHMS[String(header['alg'])];
  if (!algorithm) return false;
  const [head, body, signature] = token.split('.') as [string, string, string];
  const candidates = typeof header['kid'] === 'string' ? [keys.byKid.get(header['kid'])] : keys.all;
  return candidates.some(
    (key) =>
      key !== undefined &&
      crypto.verify(
        algorithm.hash,
        Buffer.from(`${head}.${body}`),
        { key, ...algorithm.options },
        Buffer.from(signature, 'base64url'),
      ),
  );
}

function rolesOf(claims: Record<string, unknown>, claim: string): GrantableRole[] {
  const raw = claims[claim];
  const names = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/\s+/) : [];
  return names.filter((r): r is GrantableRole => (GRANTABLE_ROLES as readonly unknown[]).includes(r));
}

/** Checks the claims of a token whose signature verified. */
function checkClaims(
  claims: Record<string, unknown>,
  settings: JwtSettings,
  nowMs: number,
): Principal | JwtRejection {
  const now = nowMs / 1000;
  const exp = claims['exp'];
  if (typeof exp !== 'number') return { rejected: 'the token has no expiry (exp)' };
  if (now > exp + SKEW_SECONDS)
    return { rejected: 'the token has expired: get a new one from the identity provider' };
  const nbf = claims['nbf'];
  if (typeof nbf === 'number' && now < nbf - SKEW_SECONDS)
    return { rejected: 'the token is not valid yet (nbf)' };
  if (claims['iss'] !== settings.issuer) return { rejected: `the token's issuer is not ${settings.issuer}` };
  const aud = claims['aud'];
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(settings.audience))
    return { rejected: `the token is not for audience ${settings.audience}` };
  const sub = claims['sub'];
  if (typeof sub !== 'string' || sub === '') return { rejected: 'the token has no subject (sub)' };
  const claim = settings.rolesClaim ?? 'roles';
  const roles = rolesOf(claims, claim);
  if (roles.length === 0)
    return { rejected: `the token's ${claim} claim grants none of ${GRANTABLE_ROLES.join(', ')}` };
  return { identity: sub, roles };
}

/** Verifies one token against `keys`. */
export function verifyJwt(
  token: string,
  keys: KeySet,
  settings: JwtSettings,
  nowMs = Date.now(),
): Principal | JwtRejection {
  if (!looksLikeJwt(token)) return { rejected: 'the token is not a JWT' };
  const [head, body] = token.split('.') as [string, string];
  const header = decodePart(head);
  const claims = decodePart(body);
  if (!header || !claims) return { rejected: 'the token is not a well-formed JWT' };
  if (!ALGORITHMS[String(header['alg'])]) {
    return {
      rejected: `the token's algorithm ${JSON.stringify(String(header['alg']).slice(0, 10))} is not accepted`,
    };
  }
  if (!signatureVerifies(token, header, keys)) {
    return { rejected: "the token's signature does not verify with the configured JWKS" };
  }
  return checkClaims(claims, settings, nowMs);
}

/** Loads the JWKS now (throws when it is bad) and follows its changes; a bad change keeps the last good one. */
export function openJwtVerifier(settings: JwtSettings, onReloadError?: (err: Error) => void): JwtVerifier {
  const file = settings.jwksFile;
  let keys = parseJwks(fs.readFileSync(file, 'utf8'), file);
  let mtimeMs = fs.statSync(file).mtimeMs;
  let checkedAt = Date.now();
  const current = (): KeySet => {
    if (Date.now() - checkedAt < RECHECK_MS) return keys;
    checkedAt = Date.now();
    try {
      const stat = fs.statSync(file);
      if (stat.mtimeMs !== mtimeMs) {
        keys = parseJwks(fs.readFileSync(file, 'utf8'), file);
        mtimeMs = stat.mtimeMs;
      }
    } catch (err) {
      onReloadError?.(err as Error);
    }
    return keys;
  };
  return { verify: (token, nowMs) => verifyJwt(token, current(), settings, nowMs) };
}

// The credentials a server accepts: a JSON file of SHA-256 token hashes (never the tokens) and client
// certificate identities, each with its roles. Read again when the file changes (checked at most every
// few seconds), so adding or revoking a credential needs no restart.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

import { GRANTABLE_ROLES, type GrantableRole } from './roles';

/** Who a credential belongs to and what it may do. */
export interface Principal {
  identity: string;
  roles: GrantableRole[];
}

/**
 * The file: `{ "tokens": [{ "identity": "ci", "sha256": "<64 hex>", "roles": ["write"] }],
 * "certificates": [{ "identity": "<client certificate CN>", "roles": ["read"] }] }`.
 */
interface TokensFile {
  tokens?: { identity: string; sha256: string; roles: string[] }[];
  certificates?: { identity: string; roles: string[] }[];
}

interface Loaded {
  byHash: Map<string, Principal>;
  byCertificate: Map<string, Principal>;
}

export interface TokenStore {
  /** The principal of a bearer token, or undefined when it is not (or no longer) in the file. */
  byToken(token: string): Principal | undefined;
  /** The principal of a verified client certificate's common name. */
  byCertificate(commonName: string): Principal | undefined;
}

const RECHECK_MS = 5_000;

/** Lowercase hex SHA-256 of a token: what the tokens file stores. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function principal(entry: { identity: unknown; roles: unknown }, where: string): Principal {
  if (typeof entry.identity !== 'string' || entry.identity === '')
    throw new Error(`${where}: identity is required`);
  if (!Array.isArray(entry.roles) || entry.roles.length === 0) throw new Error(`${where}: roles is required`);
  for (const role of entry.roles) {
    if (!(GRANTABLE_ROLES as readonly unknown[]).includes(role)) {
      throw new Error(
        `${where}: unknown role ${JSON.stringify(role)} (one of ${GRANTABLE_ROLES.join(', ')})`,
      );
    }
  }
  return { identity: entry.identity, roles: entry.roles as GrantableRole[] };
}

/** Parses and checks a tokens file's text; throws naming the first bad entry (never a hash). */
export function parseTokensFile(text: string, file: string): Loaded {
  let parsed: TokensFile;
  try {
    parsed = JSON.parse(text) as TokensFile;
  } catch (err) {
    throw new Error(`tokens file ${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const byHash = new Map<string, Principal>();
  (parsed.tokens ?? []).forEach((entry, i) => {
    const where = `tokens file ${file}, tokens[${i}]`;
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(entry.sha256)) {
      throw new Error(`${where}: sha256 must be the 64 hex digits of the token's SHA-256`);
    }
    byHash.set(entry.sha256.toLowerCase(), principal(entry, where));
  });
  const byCertificate = new Map<string, Principal>();
  (parsed.certificates ?? []).forEach((entry, i) => {
    const p = principal(entry, `tokens file ${file}, certificates[${i}]`);
    byCertificate.set(p.identity, p);
  });
  return { byHash, byCertificate };
}

/** Loads `file` now (throws when it is bad) and follows its changes; a bad change keeps the last good one. */
export function openTokenStore(file: string, onReloadError?: (err: Error) => void): TokenStore {
  let loaded = parseTokensFile(fs.readFileSync(file, 'utf8'), file);
  let mtimeMs = fs.statSync(file).mtimeMs;
  let checkedAt = Date.now();
  const current = (): Loaded => {
    if (Date.now() - checkedAt < RECHECK_MS) return loaded;
    checkedAt = Date.now();
    try {
      const stat = fs.statSync(file);
      if (stat.mtimeMs !== mtimeMs) {
        loaded = parseTokensFile(fs.readFileSync(file, 'utf8'), file);
        mtimeMs = stat.mtimeMs;
      }
    } catch (err) {
      onReloadError?.(err as Error);
    }
    return loaded;
  };
  return {
    byToken: (token) => current().byHash.get(hashToken(token)),
    byCertificate: (commonName) => current().byCertificate.get(commonName),
  };
}

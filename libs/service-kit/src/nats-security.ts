import type { SecuritySettings } from './security-config';

/** What `connectEvents` takes from SecuritySettings (spread it into its options). */
export interface NatsSecurity {
  tls?: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined };
  credsFile?: string;
  user?: string;
  pass?: string;
  inboxPrefix?: string;
}

/**
 * TLS to NATS when a server URL is `tls://...` (with the process's CA, and its certificate for servers
 * that verify clients); the credentials file, or the user and password, when set. A user's replies come
 * to `_INBOX.<user>.>`, the only inbox its permissions let it read (libs/events permissions.ts).
 */
export function natsSecurityOf(
  settings: SecuritySettings | undefined,
  servers: string | readonly string[] | undefined,
): NatsSecurity {
  const urls = servers === undefined ? [] : typeof servers === 'string' ? [servers] : servers;
  const tls = settings?.tls;
  const wantsTls = urls.some((url) => url.startsWith('tls://'));
  return {
    ...(wantsTls && tls !== undefined
      ? { tls: { caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile } }
      : {}),
    ...(settings?.natsCredsFile === undefined ? {} : { credsFile: settings.natsCredsFile }),
    ...(settings?.natsUser === undefined
      ? {}
      : {
          user: settings.natsUser,
          pass: settings.natsPassword ?? '',
          inboxPrefix: `_INBOX.${settings.natsUser}`,
        }),
  };
}

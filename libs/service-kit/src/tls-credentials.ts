// grpc-js credentials from TlsSettings. The files are watched (grpc-js's FileWatcherCertificateProvider
// reads them again every reloadIntervalMs), so a renewed certificate, key or CA is used by new
// connections without a restart; connections already open keep the old one.
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';

import type { TlsSettings } from './security-config';

export const DEFAULT_TLS_RELOAD_MS = 60_000;

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads the files once at start, so a wrong path or a key that does not match fails now, clearly. */
function checkFiles(settings: TlsSettings, needIdentity: boolean): void {
  if (needIdentity && (settings.certFile === undefined || settings.keyFile === undefined)) {
    throw new Error('TLS needs both a certificate and its key (HEADSTART_TLS_CERT, HEADSTART_TLS_KEY)');
  }
  if ((settings.certFile === undefined) !== (settings.keyFile === undefined)) {
    throw new Error('HEADSTART_TLS_CERT and HEADSTART_TLS_KEY are set together or not at all');
  }
  if (settings.requireClientCert && settings.caFile === undefined) {
    throw new Error('requiring client certificates needs the CA that signs them (HEADSTART_TLS_CA)');
  }
  try {
    tls.createSecureContext({
      ...(settings.certFile === undefined ? {} : { cert: readPem(settings.certFile, 'certificate') }),
      ...(settings.keyFile === undefined ? {} : { key: readPem(settings.keyFile, 'key') }),
      ...(settings.caFile === undefined ? {} : { ca: readPem(settings.caFile, 'CA') }),
    });
  } catch (err) {
    throw new Error(`invalid TLS files: ${(err as Error).message}`, { cause: err });
  }
}

function watcherOf(settings: TlsSettings): grpc.experimental.FileWatcherCertificateProvider {
  return new grpc.experimental.FileWatcherCertificateProvider({
    certificateFile: settings.certFile,
    privateKeyFile: settings.keyFile,
    caCertificateFile: settings.caFile,
    refreshIntervalMs: settings.reloadIntervalMs ?? DEFAULT_TLS_RELOAD_MS,
  });
}

/** Insecure without settings; else TLS with the watched certificate, and client certificates checked
 * against the CA (required when `requireClientCert`). */
export function serverCredentialsOf(settings: TlsSettings | undefined): grpc.ServerCredentials {
  if (settings === undefined) return grpc.ServerCredentials.createInsecure();
  checkFiles(settings, true);
  const files = watcherOf(settings);
  // grpc-js 1.14 names the parameters the other way round: its class takes the identity provider
  // first and the (optional) CA provider second, which is how they are passed here.
  return grpc.experimental.createCertificateProviderServerCredentials(
    files,
    settings.caFile === undefined ? null : files,
    settings.requireClientCert ?? false,
  );
}

/** Insecure without settings; else TLS verifying the server with the CA file (the system roots when
 * there is none), presenting the certificate when one is set (mTLS). */
export function channelCredentialsOf(settings: TlsSettings | undefined): grpc.ChannelCredentials {
  if (settings === undefined) return grpc.credentials.createInsecure();
  checkFiles(settings, false);
  if (settings.caFile === undefined) {
    return grpc.credentials.createSsl(
      null,
      settings.keyFile === undefined ? null : readPem(settings.keyFile, 'key'),
      settings.certFile === undefined ? null : readPem(settings.certFile, 'certificate'),
    );
  }
  const files = watcherOf(settings);
  return grpc.experimental.createCertificateProviderChannelCredentials(
    files,
    settings.certFile === undefined ? null : files,
  );
}

/** Channel options TLS needs: the name checked in the server certificate when it is overridden. */
export function tlsChannelOptions(settings: TlsSettings | undefined): grpc.ChannelOptions {
  return settings?.serverNameOverride === undefined
    ? {}
    : {
        'grpc.ssl_target_name_override': settings.serverNameOverride,
        'grpc.default_authority': settings.serverNameOverride,
      };
}

// Real X.509 certificates for tests, made with the openssl CLI (node:crypto cannot issue certificates):
// a CA, a server certificate for localhost / 127.0.0.1, and client certificates by common name.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TestCertificates {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** Issues a client certificate (signed by the CA unless `ca` names another one) for `commonName`. */
  client(commonName: string): { certFile: string; keyFile: string };
  /** A second, unrelated CA with its own server certificate (a server the first CA must not trust). */
  otherCa(): { caFile: string; certFile: string; keyFile: string };
  /** Issues a new server certificate over the same paths (rotation). */
  renewServer(): void;
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the TLS tests need the openssl CLI: run bash .ci/bootstrap.sh (it installs it)', {
        cause: err,
      });
    }
    throw err;
  }
}

function newCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-subj',
    `/CN=${name}`,
    '-days',
    '2',
  ]);
}

function issue(dir: string, ca: string, name: string, subject: string, extensions: string): void {
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

const SERVER_EXT = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n';

/** Writes the CA and server certificate into `dir` (a temp dir of the test). */
export function makeTestCertificates(dir: string): TestCertificates {
  newCa(dir, 'ca');
  issue(dir, 'ca', 'server', '/CN=localhost', SERVER_EXT);
  return {
    dir,
    caFile: path.join(dir, 'ca.crt'),
    serverCertFile: path.join(dir, 'server.crt'),
    serverKeyFile: path.join(dir, 'server.key'),
    client: (commonName) => {
      const name = `client-${commonName.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      issue(dir, 'ca', name, `/CN=${commonName}`, 'extendedKeyUsage=clientAuth\n');
      return { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
    },
    otherCa: () => {
      newCa(dir, 'other-ca');
      issue(dir, 'other-ca', 'other-server', '/CN=localhost', SERVER_EXT);
      return {
        caFile: path.join(dir, 'other-ca.crt'),
        certFile: path.join(dir, 'other-server.crt'),
        keyFile: path.join(dir, 'other-server.key'),
      };
    },
    renewServer: () => issue(dir, 'ca', 'server', '/CN=localhost', SERVER_EXT),
  };
}

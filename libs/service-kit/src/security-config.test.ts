import { readConfig } from './config';
import { securityConfigSpec, securityOf } from './security-config';
import { serverCredentialsOf } from './tls-credentials';

describe('securityConfigSpec', () => {
  it('is all off by default: plaintext, no authentication, no token', () => {
    expect(securityOf(readConfig(securityConfigSpec, {}))).toEqual({
      tls: undefined,
      authTokensFile: undefined,
      token: undefined,
      probePort: undefined,
      natsCredsFile: undefined,
      natsUser: undefined,
      natsPassword: undefined,
    });
  });

  it('turns TLS on with the files, and hides the token and the NATS password in errors', () => {
    const config = readConfig(securityConfigSpec, {
      HEADSTART_TLS_CERT: '/tls/tls.crt',
      HEADSTART_TLS_KEY: '/tls/tls.key',
      HEADSTART_TLS_CA: '/tls/ca.crt',
      HEADSTART_TLS_REQUIRE_CLIENT_CERT: 'true',
      HEADSTART_AUTH_TOKENS_FILE: '/auth/tokens.json',
      HEADSTART_TOKEN: 'hs_secret',
    });
    expect(securityOf(config)).toMatchObject({
      tls: {
        certFile: '/tls/tls.crt',
        keyFile: '/tls/tls.key',
        caFile: '/tls/ca.crt',
        requireClientCert: true,
        reloadIntervalMs: 60_000,
      },
      authTokensFile: '/auth/tokens.json',
      token: 'hs_secret',
    });
    expect(() => readConfig(securityConfigSpec, { HEADSTART_TLS_RELOAD_MS: '5' })).toThrow(
      /below the minimum/,
    );
  });

  it('does not fall back to plaintext when only a key is set', () => {
    const settings = securityOf(readConfig(securityConfigSpec, { HEADSTART_TLS_KEY: '/tls/tls.key' }));
    expect(() => serverCredentialsOf(settings.tls)).toThrow(/HEADSTART_TLS_CERT/);
  });
});

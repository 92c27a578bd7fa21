// What a typed client needs from SecuritySettings: spread `clientSecurityOf(security)` into its options
// (createRegistryClient({ address, ...clientSecurityOf(security) })).
import * as grpc from '@grpc/grpc-js';

import type { SecuritySettings } from './security-config';
import { channelCredentialsOf, tlsChannelOptions } from './tls-credentials';

export interface ClientSecurity {
  credentials: grpc.ChannelCredentials;
  channelOptions: grpc.ChannelOptions;
}

/** A client interceptor adding `authorization: Bearer <token>` to every call (plaintext or TLS). */
export function bearerTokenInterceptor(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

/** Credentials and channel options of a client; without settings, plaintext and no token. */
export function clientSecurityOf(settings: SecuritySettings | undefined): ClientSecurity {
  const token = settings?.token;
  return {
    credentials: channelCredentialsOf(settings?.tls),
    channelOptions: {
      ...tlsChannelOptions(settings?.tls),
      ...(token === undefined ? {} : { interceptors: [bearerTokenInterceptor(token)] }),
    },
  };
}

import type * as grpc from '@grpc/grpc-js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './create-service';

/** A deadline `ms` from now. Every client call should carry one: a call without it can hang forever. */
export function defaultDeadline(ms: number): Date {
  return new Date(Date.now() + ms);
}

export interface ChannelOptions {
  /** @default 8 MiB, the servers' limit */
  maxReceiveMessageBytes?: number;
  /** @default 8 MiB, the servers' limit */
  maxSendMessageBytes?: number;
  /** Send keepalive pings this often to notice dead connections. @default grpc-js default (off) */
  keepaliveTimeMs?: number;
}

/** grpc-js channel options matching the service kit's server limits. */
export function createChannelOptions(options: ChannelOptions = {}): grpc.ChannelOptions {
  return {
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    ...(options.keepaliveTimeMs === undefined
      ? {}
      : { 'grpc.keepalive_time_ms': options.keepaliveTimeMs, 'grpc.keepalive_permit_without_calls': 1 }),
  };
}

/** Resolves when the client's channel is connected, rejects at `deadline`. */
export function waitForReady(client: grpc.Client, deadline: Date | number): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(deadline, (err) => (err ? reject(err) : resolve())),
  );
}

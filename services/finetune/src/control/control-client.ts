// The worker side of the control protocol: typed requests with a timeout. A request nobody answers (the
// API is down or restarting) fails with UNAVAILABLE, which callers treat as "try again".
import { Code, HeadstartError } from '@headstart/errors';
import type { finetune } from '@headstart/proto';
import type { NatsConnection } from 'nats';
import { CONTROL_CALLS, errorFromHeaders, type ControlCall } from './protocol';

export interface ControlClient {
  claim(request: finetune.ClaimFinetuneRequest): Promise<finetune.ClaimFinetuneResponse>;
  progress(request: finetune.FinetuneProgress): Promise<finetune.FinetuneProgressAck>;
  finish(request: finetune.FinishFinetuneRequest): Promise<finetune.FinishFinetuneResponse>;
}

async function request<Req, Res>(
  nc: NatsConnection,
  call: ControlCall<Req, Res>,
  message: Req,
  timeoutMs: number,
): Promise<Res> {
  let reply;
  try {
    reply = await nc.request(call.subject, call.request.encode(message).finish(), { timeout: timeoutMs });
  } catch (err) {
    throw new HeadstartError(
      Code.UNAVAILABLE,
      `the finetune API did not answer ${call.subject}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const error = errorFromHeaders(reply.headers);
  if (error) throw error;
  return call.response.decode(reply.data);
}

export function createControlClient(nc: NatsConnection, timeoutMs = 5_000): ControlClient {
  return {
    claim: (m) => request(nc, CONTROL_CALLS.claim, m, timeoutMs),
    progress: (m) => request(nc, CONTROL_CALLS.progress, m, timeoutMs),
    finish: (m) => request(nc, CONTROL_CALLS.finish, m, timeoutMs),
  };
}

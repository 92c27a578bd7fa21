// The API side of the control protocol: one queue subscription per call, each request handled in turn
// (they are small store updates), the reply encoded or an error reply with the code in headers.
import { HeadstartError } from '@headstart/errors';
import type { finetune } from '@headstart/proto';
import type { Logger } from '@headstart/service-kit';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { CONTROL_CALLS, CONTROL_QUEUE_GROUP, errorHeaders, type ControlCall } from './protocol';

export interface ControlHandlers {
  claim(request: finetune.ClaimFinetuneRequest): Promise<finetune.ClaimFinetuneResponse>;
  progress(request: finetune.FinetuneProgress): Promise<finetune.FinetuneProgressAck>;
  finish(request: finetune.FinishFinetuneRequest): Promise<finetune.FinishFinetuneResponse>;
}

export interface ControlServer {
  /** Stops answering (in-flight requests finish). */
  stop(): Promise<void>;
}

function serve<Req, Res>(
  nc: NatsConnection,
  call: ControlCall<Req, Res>,
  handle: (request: Req) => Promise<Res>,
  logger: Logger,
  inFlight: Set<Promise<void>>,
): Subscription {
  const answer = async (msg: Msg): Promise<void> => {
    try {
      const response = await handle(call.request.decode(msg.data));
      msg.respond(call.response.encode(response).finish());
    } catch (err) {
      const error = HeadstartError.from(err);
      if (error.message === 'internal error')
        logger.error({ err, subject: call.subject }, 'control request failed');
      msg.respond(new Uint8Array(), { headers: errorHeaders(error) });
    }
  };
  return nc.subscribe(call.subject, {
    queue: CONTROL_QUEUE_GROUP,
    callback: (err, msg) => {
      if (err) {
        logger.warn({ err: err.message, subject: call.subject }, 'control subscription error');
        return;
      }
      const done = answer(msg).finally(() => inFlight.delete(done));
      inFlight.add(done);
    },
  });
}

export function startControlServer(
  nc: NatsConnection,
  handlers: ControlHandlers,
  logger: Logger,
): ControlServer {
  const inFlight = new Set<Promise<void>>();
  const subs = [
    serve(nc, CONTROL_CALLS.claim, handlers.claim, logger, inFlight),
    serve(nc, CONTROL_CALLS.progress, handlers.progress, logger, inFlight),
    serve(nc, CONTROL_CALLS.finish, handlers.finish, logger, inFlight),
  ];
  return {
    stop: async () => {
      for (const sub of subs) sub.unsubscribe();
      await Promise.allSettled([...inFlight]);
    },
  };
}

// Worker ↔ API control messages. The finetune API owns the job records (its SQLite file); workers reach
// it only through NATS (the deployment lets workers talk to the registry and NATS, nothing else), with
// core-NATS request/reply: claim a job before running it, report progress (the reply says whether the
// job was cancelled), and report the end. These subjects are private to the finetune service and its
// workers, carry no durable state (JetStream carries the work items), and are defined here only.
import { Code, HeadstartError } from '@headstart/errors';
import { finetune } from '@headstart/proto';
import { headers as natsHeaders, type MsgHdrs } from 'nats';

export const CONTROL_SUBJECTS = {
  claim: 'headstart.control.finetune.claim',
  progress: 'headstart.control.finetune.progress',
  finish: 'headstart.control.finetune.finish',
} as const;

/** API instances answer in one queue group: each request reaches exactly one. */
export const CONTROL_QUEUE_GROUP = 'finetune-api';

export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(data: Uint8Array): T;
}

export interface ControlCall<Req, Res> {
  subject: string;
  request: MessageCodec<Req>;
  response: MessageCodec<Res>;
}

export const CONTROL_CALLS = {
  claim: {
    subject: CONTROL_SUBJECTS.claim,
    request: finetune.ClaimFinetuneRequest,
    response: finetune.ClaimFinetuneResponse,
  },
  progress: {
    subject: CONTROL_SUBJECTS.progress,
    request: finetune.FinetuneProgress,
    response: finetune.FinetuneProgressAck,
  },
  finish: {
    subject: CONTROL_SUBJECTS.finish,
    request: finetune.FinishFinetuneRequest,
    response: finetune.FinishFinetuneResponse,
  },
} as const satisfies Record<string, ControlCall<unknown, unknown>>;

/** Headers of an error reply (its body is empty). */
export const ERROR_CODE_HEADER = 'Headstart-Error-Code';
export const ERROR_MESSAGE_HEADER = 'Headstart-Error-Message';

export function errorHeaders(err: HeadstartError): MsgHdrs {
  const h = natsHeaders();
  h.set(ERROR_CODE_HEADER, String(err.code));
  // Header values are one line.
  h.set(ERROR_MESSAGE_HEADER, err.message.replace(/[\r\n]+/g, ' '));
  return h;
}

/** The HeadstartError an error reply carries, or undefined for a normal reply. */
export function errorFromHeaders(h: MsgHdrs | undefined): HeadstartError | undefined {
  const code = h?.get(ERROR_CODE_HEADER);
  if (!code) return undefined;
  const numeric = Number(code);
  return new HeadstartError(
    Number.isInteger(numeric) ? (numeric as Code) : Code.UNKNOWN,
    h?.get(ERROR_MESSAGE_HEADER) || 'control request failed',
  );
}

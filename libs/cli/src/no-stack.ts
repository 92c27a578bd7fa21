// A command run while no stack is up fails to connect; the gRPC UNAVAILABLE it gets does not say what
// to do about it. When nothing at all listens at the address, the CLI says so and how to start a stack.
import { Code, HeadstartError } from '@headstart/errors';
import { acceptsConnections, splitAddress } from './ports';

/** `details.reason` of the error, which exits with ExitCode.NO_STACK. */
export const NO_STACK_REASON = 'no_stack';

export type ServiceOption = 'registry' | 'ingest' | 'pretrain' | 'finetune';

/**
 * The "no Headstart stack" error when `err` is UNAVAILABLE and nothing accepts a connection at
 * `address`, the address the failed client called (a service that is up but draining is also UNAVAILABLE:
 * that one keeps its own message); undefined otherwise.
 */
export async function noStackError(
  err: unknown,
  service: ServiceOption,
  address: string,
): Promise<HeadstartError | undefined> {
  if (!(err instanceof HeadstartError) || err.code !== Code.UNAVAILABLE) return undefined;
  // Only this client's own failure (a nested command, e.g. `study report`, has two clients): the
  // clients' UNAVAILABLE messages name the address they called.
  if (!err.message.includes(` at ${address} is unavailable`)) return undefined;
  let target;
  try {
    target = splitAddress(address, service);
  } catch {
    return undefined;
  }
  if (await acceptsConnections(target)) return undefined;
  const env = `HEADSTART_${service.toUpperCase()}_ADDR`;
  return new HeadstartError(
    Code.UNAVAILABLE,
    `no Headstart stack at ${address}: start one with \`headstart up\`, ` +
      `or point --${service} (or ${env}) at a running ${service} service`,
    { cause: err, details: { reason: NO_STACK_REASON, service, address } },
  );
}

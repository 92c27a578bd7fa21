// The finetune client's calls: the shared client-call helpers of @headstart/errors, with error messages
// that name the finetune service.
import { Code, HeadstartError, clientCallsFor } from '@headstart/errors';

export type { CallSettings, ClientCallContext as CallContext } from '@headstart/errors';

export const { callServerStream, connect } = clientCallsFor({
  name: 'the finetune service',
});

/** A response field proto3 lets be absent but the service always sets: its absence is the service's bug. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new HeadstartError(Code.INTERNAL, `the finetune service answered without ${what}`);
  return value;
}

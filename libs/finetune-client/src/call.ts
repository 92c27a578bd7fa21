// The finetune client's calls: the shared client-call helpers of @headstart/client-kit, with error messages
// that name the finetune service.
import { Code, HeadstartError } from '@headstart/errors';
import { clientCallsFor } from '@headstart/client-kit';

export type { CallSettings, ClientCallContext as CallContext } from '@headstart/client-kit';

export const { callServerStream, connect } = clientCallsFor({
  name: 'the finetune service',
});

/** A response field proto3 lets be absent but the service always sets: its absence is the service's bug. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new HeadstartError(Code.INTERNAL, `the finetune service answered without ${what}`);
  return value;
}

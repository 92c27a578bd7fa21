// The registry client's calls: the shared client-call helpers of @headstart/client-kit, with error messages
// that name the registry.
import { clientCallsFor } from '@headstart/client-kit';

export { onAbort } from '@headstart/errors';
export { cancelledError, deadlineFrom, isAborted } from '@headstart/client-kit';
export type { CallSettings, ClientCallContext as CallContext } from '@headstart/client-kit';

export const { callClientStream, connect, toClientError } = clientCallsFor({
  name: 'the registry',
  deadlineAdvice: "raise the deadline or check the registry's health",
});

// The registry client's calls: the shared client-call helpers of @headstart/errors, with error messages
// that name the registry.
import { clientCallsFor } from '@headstart/errors';

export { cancelledError, deadlineFrom, isAborted, onAbort } from '@headstart/errors';
export type { CallSettings, ClientCallContext as CallContext } from '@headstart/errors';

export const { callClientStream, connect, toClientError } = clientCallsFor({
  name: 'the registry',
  deadlineAdvice: "raise the deadline or check the registry's health",
});

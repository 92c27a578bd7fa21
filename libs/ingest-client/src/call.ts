// The ingest client's calls: the shared client-call helpers of @headstart/errors, with error messages
// that name the ingest service.
import { clientCallsFor } from '@headstart/errors';

export { cancelledError, deadlineFrom, onAbort } from '@headstart/errors';
export type { CallSettings, ClientCallContext as CallContext } from '@headstart/errors';

export const { callServerStream, forClient, toClientError } = clientCallsFor({
  name: 'the ingest service',
});

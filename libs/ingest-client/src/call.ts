// The ingest client's calls: the shared client-call helpers of @headstart/errors, with error messages
// that name the ingest service.
import { clientCallsFor } from '@headstart/errors';

export { cancelledError } from '@headstart/errors';
export type { CallSettings, ClientCallContext as CallContext } from '@headstart/errors';

export const { callClientStream, callServerStream, connect } = clientCallsFor({
  name: 'the ingest service',
});

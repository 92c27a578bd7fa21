// The ingest client's calls: the shared client-call helpers of @headstart/client-kit, with error messages
// that name the ingest service.
import { clientCallsFor } from '@headstart/client-kit';

export { cancelledError } from '@headstart/client-kit';
export type { CallSettings, ClientCallContext as CallContext } from '@headstart/client-kit';

export const { callClientStream, callServerStream, connect } = clientCallsFor({
  name: 'the ingest service',
});

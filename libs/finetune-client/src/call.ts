// The finetune client's calls: the shared client-call helpers of @headstart/errors, with error messages
// that name the finetune service.
import { clientCallsFor } from '@headstart/errors';

export type { CallSettings, ClientCallContext as CallContext } from '@headstart/errors';

export const { callServerStream, connect } = clientCallsFor({
  name: 'the finetune service',
});

// `@headstart/service-kit/testing`: helpers for services' tests, kept out of the kit's main entry.
export { callForStatus, oversizedRequests } from './oversized-requests';
export type { CallStatus, OversizedOptions, OversizedRequest } from './oversized-requests';

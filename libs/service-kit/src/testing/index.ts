// `@headstart/service-kit/testing`: helpers for services' tests, kept out of the kit's main entry.
export { callForStatus, oversizedCalls, oversizedRequests } from './oversized-requests';
export type {
  CallStatus,
  OversizedCall,
  OversizedOptions,
  OversizedRequest,
  RequestType,
} from './oversized-requests';
export { makeTestCertificates } from './test-certificates';
export type { TestCertificates } from './test-certificates';
export { unclassifiedRpcs } from './rpc-roles';
export {
  checkHealth,
  DEFAULT_PROPERTY_RUNS,
  describeCase,
  propertyEnv,
  runHostileSuite,
} from './hostile-calls';
export type {
  CallOutcome,
  HostileCase,
  HostileContext,
  HostileMethodReport,
  HostileSuiteOptions,
  HostileSuiteReport,
} from './hostile-calls';

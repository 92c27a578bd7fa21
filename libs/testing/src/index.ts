export { startNatsServer } from './nats-server';
export type { NatsServerHandle, StartNatsServerOptions } from './nats-server';
export { findNatsServerBinary, NATS_SERVER_MISSING_HINT } from './nats-binary';
export { freePort, isPortOpen } from './ports';
export { makeTempDir } from './temp-dir';
export type { TempDir } from './temp-dir';
export { waitFor, once } from './wait-for';
export type { WaitForOptions } from './wait-for';

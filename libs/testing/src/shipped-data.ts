/**
 * The shipped data built once for the whole Jest run (tests/jest-global-setup.js): tests that run the
 * main job read it here rather than each building their own copy.
 */
export function shippedDataDir(): string {
  const dir = process.env.HEADSTART_SHIPPED_DATA;
  if (!dir) {
    throw new Error('HEADSTART_SHIPPED_DATA is not set: run the tests with the repository jest.config.js');
  }
  return dir;
}

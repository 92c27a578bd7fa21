// @headstart/cli: the `headstart` command (dist/main.js). Embedders and tests run it in-process with
// runCli and their own streams and clients; the commands themselves are internal.
export { runCli } from './program';
export type { CliDependencies } from './program';
export type { CliStreams, Writer } from './output';
export { ExitCode } from './exit-codes';

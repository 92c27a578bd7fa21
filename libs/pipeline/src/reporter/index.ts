// `@headstart/pipeline/reporter`: the console reporter alone, without the services (the CLI loads it).
export { combineReporters, formatDuration, formatValue, silentReporter } from './reporter';
export type { ProgressFields, Reporter, TaskReporter } from './reporter';
export { createPlainReporter } from './plain-reporter';
export type { PlainReporterOptions } from './plain-reporter';
export { createTtyReporter, formatTaskRow } from './tty-reporter';
export type { TtyReporterOptions, TtyStream } from './tty-reporter';

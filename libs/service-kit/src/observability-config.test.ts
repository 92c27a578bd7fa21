import { ConfigError, describeConfig, readConfig, type ConfigSpec } from './config';
import { createLogger } from './logger';
import { LOG_LEVELS, logLevelVar, observabilityConfigSpec } from './observability-config';

describe('observabilityConfigSpec', () => {
  it('defaults to info logs and no telemetry export', () => {
    expect(readConfig(observabilityConfigSpec, {})).toEqual({
      logLevel: 'info',
      otelExporter: 'none',
      otlpEndpoint: undefined,
    });
  });

  it('reads and validates the three variables together', () => {
    const env = {
      HEADSTART_LOG_LEVEL: 'debug',
      HEADSTART_OTEL_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
    };
    expect(readConfig(observabilityConfigSpec, env)).toEqual({
      logLevel: 'debug',
      otelExporter: 'otlp',
      otlpEndpoint: 'http://collector:4317',
    });
    const bad = { HEADSTART_LOG_LEVEL: 'loud', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' };
    expect(() => readConfig(observabilityConfigSpec, bad)).toThrow(ConfigError);
    try {
      readConfig(observabilityConfigSpec, bad);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        `HEADSTART_LOG_LEVEL: 'loud' is not one of ${LOG_LEVELS.join(', ')}`,
        "OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' is not a URL",
      ]);
    }
  });

  it("comes after a service's own variables when spread last, as the README lists them", () => {
    const spec = {
      port: { env: 'HEADSTART_X_PORT', type: 'port', default: 1, description: 'Port.' },
      ...observabilityConfigSpec,
    } as const satisfies ConfigSpec;
    const names = describeConfig(spec)
      .split('\n')
      .map((row) => row.split('`')[1]);
    expect(names).toEqual([
      'HEADSTART_X_PORT',
      'HEADSTART_LOG_LEVEL',
      'HEADSTART_OTEL_EXPORTER',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    ]);
  });
});

describe('logLevelVar', () => {
  it('offers exactly the levels the logger accepts', () => {
    for (const level of logLevelVar.values) expect(createLogger({ name: 't', level }).level).toBe(level);
    expect(() => createLogger({ name: 't', level: 'verbose' })).toThrow(/unknown log level 'verbose'/);
  });
});

import { CONFIG_TABLE_HEADER, ConfigError, describeConfig, readConfig, type ConfigSpec } from './config';

const spec = {
  port: { env: 'HEADSTART_REGISTRY_PORT', type: 'port', default: 50051, description: 'gRPC port' },
  dataDir: { env: 'HEADSTART_REGISTRY_DATA_DIR', type: 'string', description: 'Where SQLite and blobs live' },
  natsUrl: {
    env: 'HEADSTART_NATS_URL',
    type: 'url',
    protocols: ['nats'],
    default: 'nats://127.0.0.1:4222',
    description: 'NATS server',
  },
  logLevel: {
    env: 'HEADSTART_LOG_LEVEL',
    type: 'enum',
    values: ['debug', 'info', 'warn'],
    default: 'info',
    description: 'Log level',
  },
  reflection: {
    env: 'HEADSTART_REFLECTION',
    type: 'boolean',
    default: true,
    description: 'Serve reflection',
  },
  drainMs: {
    env: 'HEADSTART_DRAIN_MS',
    type: 'int',
    min: 0,
    max: 60_000,
    default: 10_000,
    description: 'Drain limit',
  },
  ratio: { env: 'HEADSTART_RATIO', type: 'number', required: false, description: 'Optional | ratio' },
  peer: { env: 'HEADSTART_PEER', type: 'address', default: 'localhost:50051', description: 'Peer address' },
} as const satisfies ConfigSpec;

describe('readConfig', () => {
  it('applies defaults and parses every type', () => {
    const config = readConfig(spec, {
      HEADSTART_REGISTRY_DATA_DIR: '/data',
      HEADSTART_LOG_LEVEL: 'debug',
      HEADSTART_REFLECTION: 'off',
      HEADSTART_RATIO: '0.25',
      HEADSTART_PEER: '[::1]:7000',
    });
    expect(config).toEqual({
      port: 50051,
      dataDir: '/data',
      natsUrl: 'nats://127.0.0.1:4222',
      logLevel: 'debug',
      reflection: false,
      drainMs: 10_000,
      ratio: 0.25,
      peer: '[::1]:7000',
    });
    // Types are inferred from the spec.
    const port: number = config.port;
    const level: 'debug' | 'info' | 'warn' = config.logLevel;
    const ratio: number | undefined = config.ratio;
    expect([port, level, ratio]).toHaveLength(3);
  });

  it('reports every bad variable in one error, saying why', () => {
    let error: unknown;
    try {
      readConfig(spec, {
        HEADSTART_REGISTRY_PORT: 'abc',
        HEADSTART_NATS_URL: 'http://x:1',
        HEADSTART_LOG_LEVEL: 'loud',
        HEADSTART_REFLECTION: 'maybe',
        HEADSTART_DRAIN_MS: '70000',
        HEADSTART_RATIO: 'NaN',
        HEADSTART_PEER: 'nohost',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual([
      "HEADSTART_REGISTRY_PORT: 'abc' is not a port (0-65535)",
      'HEADSTART_REGISTRY_DATA_DIR: required but not set (Where SQLite and blobs live)',
      "HEADSTART_NATS_URL: 'http://x:1' has scheme 'http', expected nats",
      "HEADSTART_LOG_LEVEL: 'loud' is not one of debug, info, warn",
      "HEADSTART_REFLECTION: 'maybe' is not a boolean (true/false, 1/0, yes/no, on/off)",
      "HEADSTART_DRAIN_MS: '70000' is above the maximum 60000",
      "HEADSTART_RATIO: 'NaN' is not a number",
      "HEADSTART_PEER: 'nohost' is not a host:port address",
    ]);
    for (const problem of problems) expect((error as Error).message).toContain(problem);
  });

  it('accepts a hand-written result type instead of the inferred one', () => {
    interface PortOnly {
      port: number;
      dataDir: string;
    }
    const config: PortOnly = readConfig<PortOnly>(
      { port: spec.port, dataDir: spec.dataDir },
      { HEADSTART_REGISTRY_DATA_DIR: '/d', HEADSTART_REGISTRY_PORT: '0' },
    );
    expect(config).toEqual({ port: 0, dataDir: '/d' });
  });

  it('treats an empty variable as unset and rejects out-of-range ports', () => {
    expect(() => readConfig(spec, { HEADSTART_REGISTRY_DATA_DIR: '' })).toThrow(/DATA_DIR: required/);
    expect(() =>
      readConfig(spec, { HEADSTART_REGISTRY_DATA_DIR: '/d', HEADSTART_REGISTRY_PORT: '65536' }),
    ).toThrow("HEADSTART_REGISTRY_PORT: '65536' is not a port (0-65535)");
  });

  it('hides secret values', () => {
    const secretSpec = {
      token: { env: 'TOKEN', type: 'string', pattern: /^tok_/, secret: true, description: 'API token' },
    } as const satisfies ConfigSpec;
    expect(() => readConfig(secretSpec, { TOKEN: 'hunter2' })).toThrow('TOKEN: value does not match /^tok_/');
  });
});

describe('describeConfig', () => {
  it('renders one markdown row per variable', () => {
    const rows = describeConfig(spec).split('\n');
    expect(rows).toHaveLength(Object.keys(spec).length);
    expect(rows[0]).toBe('| `HEADSTART_REGISTRY_PORT` | port | `50051` | gRPC port |');
    expect(rows[1]).toBe(
      '| `HEADSTART_REGISTRY_DATA_DIR` | string | **required** | Where SQLite and blobs live |',
    );
    expect(rows[3]).toBe('| `HEADSTART_LOG_LEVEL` | `debug` \\| `info` \\| `warn` | `info` | Log level |');
    expect(rows[6]).toBe('| `HEADSTART_RATIO` | number | (unset) | Optional \\| ratio |');
    expect(CONFIG_TABLE_HEADER.split('\n')).toHaveLength(2);
  });
});

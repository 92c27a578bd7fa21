import { createRequire } from 'node:module';
import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

import { redactingExporter } from './redacting-exporter';
import { discardMetrics, SpanLineExporter } from './span-line-exporter';

export type TelemetryExporter = 'otlp' | 'console' | 'none' | 'memory';

export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4317';
export const DEFAULT_METRIC_INTERVAL_MS = 60_000;

export interface TelemetryOptions {
  /** `service.name` of every span and metric, e.g. `headstart-registry`. */
  serviceName: string;
  serviceVersion?: string;
  /** Where spans and metrics go: an OTLP/gRPC collector, stdout, nowhere, or memory (tests). */
  exporter: TelemetryExporter;
  /** OTLP/gRPC collector for `exporter: 'otlp'`. @default 'http://localhost:4317' */
  otlpEndpoint?: string;
  /** How often metrics are exported. @default 60000 */
  metricIntervalMs?: number;
  /**
   * `exporter: 'console'`: the SDK's objects (spans and metrics), or one line per span and no metrics
   * (`headstart up --otel console`). @default 'objects'
   */
  consoleFormat?: 'objects' | 'lines';
  /** Where the lines of `consoleFormat: 'lines'` go. @default process.stdout */
  writeLine?: (line: string) => void;
}

export interface Telemetry {
  /** Flushes what is buffered and stops exporting; safe to call more than once. */
  shutdown(): Promise<void>;
  /** Exports buffered spans and metrics now. */
  forceFlush(): Promise<void>;
  /** Finished spans, for `exporter: 'memory'`. */
  memoryExporter?: InMemorySpanExporter;
  /** Exported metrics, for `exporter: 'memory'` (call `forceFlush` first). */
  memoryMetricExporter?: InMemoryMetricExporter;
}

let active: string | undefined;

function spanProcessorFor(options: TelemetryOptions, memory?: InMemorySpanExporter): SpanProcessor {
  switch (options.exporter) {
    case 'otlp':
      return new BatchSpanProcessor(
        redactingExporter(new OTLPTraceExporter({ url: options.otlpEndpoint ?? DEFAULT_OTLP_ENDPOINT })),
      );
    case 'console':
      return new SimpleSpanProcessor(
        redactingExporter(
          options.consoleFormat === 'lines'
            ? new SpanLineExporter(options.writeLine)
            : new ConsoleSpanExporter(),
        ),
      );
    default:
      // Synchronous export, so a test sees a span as soon as it ends.
      return new SimpleSpanProcessor(redactingExporter(memory ?? new InMemorySpanExporter()));
  }
}

function metricExporterFor(options: TelemetryOptions, memory?: InMemoryMetricExporter): PushMetricExporter {
  switch (options.exporter) {
    case 'otlp':
      return new OTLPMetricExporter({ url: options.otlpEndpoint ?? DEFAULT_OTLP_ENDPOINT });
    case 'console':
      return options.consoleFormat === 'lines' ? discardMetrics : new ConsoleMetricExporter();
    default:
      return memory ?? new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  }
}

/*
 * The gRPC instrumentation patches @grpc/grpc-js when it is next required. Requiring it here, right
 * after the SDK started, patches the (single, shared) grpc-js module even if something loaded it
 * earlier; client and server prototypes are patched in place, so existing imports see the change.
 * Servers and clients must still be created after this call.
 */
function patchGrpcNow(): void {
  createRequire(__filename)('@grpc/grpc-js');
}

/** Traces only need a propagator when no SDK runs, so 'none' still carries incoming context along. */
function startWithoutExport(): Telemetry {
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  return {
    shutdown: async () => {
      propagation.disable();
      active = undefined;
    },
    forceFlush: async () => undefined,
  };
}

/**
 * Starts OpenTelemetry for this process: traces and metrics, W3C trace-context propagation, and the
 * gRPC instrumentation (a span per RPC on both sides, context carried in gRPC metadata).
 *
 * Call it first thing in a service's main.ts, before anything loads `@headstart/proto`: grpc-js client
 * classes built earlier (ts-proto builds them on load) keep unpatched request methods and are not traced.
 * Load the rest of the service with `await import(...)` afterwards (see README).
 * One telemetry per process: a second call before `shutdown` throws.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (active !== undefined) throw new Error(`telemetry already started for ${active}`);
  active = options.serviceName;
  if (options.exporter === 'none') return startWithoutExport();

  const memoryExporter = options.exporter === 'memory' ? new InMemorySpanExporter() : undefined;
  const memoryMetricExporter =
    options.exporter === 'memory' ? new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE) : undefined;
  const metricReader = new PeriodicExportingMetricReader({
    exporter: metricExporterFor(options, memoryMetricExporter),
    exportIntervalMillis: options.metricIntervalMs ?? DEFAULT_METRIC_INTERVAL_MS,
  });
  const spanProcessor = spanProcessorFor(options, memoryExporter);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion === undefined ? {} : { [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    }),
    // Host and process detection finishes asynchronously and holds span export back until it has;
    // tests want a span in the memory exporter the moment it ends.
    autoDetectResources: options.exporter !== 'memory',
    spanProcessors: [spanProcessor],
    metricReaders: [metricReader],
    // Explicit, so OTEL_* variables cannot switch on a second exporter behind our back.
    logRecordProcessors: [],
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
    instrumentations: [new GrpcInstrumentation()],
  });
  sdk.start();
  patchGrpcNow();

  let stopped: Promise<void> | undefined;
  return {
    memoryExporter,
    memoryMetricExporter,
    forceFlush: async () => {
      await Promise.all([spanProcessor.forceFlush(), metricReader.forceFlush()]);
    },
    shutdown: () =>
      (stopped ??= sdk
        .shutdown()
        .catch((err: unknown) => diag.error('telemetry shutdown failed', err))
        .finally(() => {
          // Unregister the globals so a later startTelemetry (tests) can register its own.
          trace.disable();
          metrics.disable();
          propagation.disable();
          context.disable();
          active = undefined;
        })),
  };
}

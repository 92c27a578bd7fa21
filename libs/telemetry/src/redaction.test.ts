import { SpanStatusCode } from '@opentelemetry/api';

import { getTracer, startTelemetry, type Telemetry } from './index';
import { REDACTED } from './redacting-exporter';

const PLANTED = 'hs_planted_span_6a2d9f31';

describe('spans leave without credentials', () => {
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = startTelemetry({ serviceName: 'redaction-test', exporter: 'memory' });
  });
  afterAll(() => telemetry.shutdown());

  it('censors credential attributes and masks bearer tokens in attributes, events and the status', () => {
    const span = getTracer('redaction-test').startSpan('call', {
      attributes: { 'rpc.method': 'GetVersion', 'http.request.header.authorization': `Bearer ${PLANTED}` },
    });
    span.setAttribute('note', `retried with Bearer ${PLANTED}`);
    span.setAttribute('headstart.token', PLANTED);
    span.recordException(new Error(`upstream: Authorization: Bearer ${PLANTED}`));
    span.setStatus({ code: SpanStatusCode.ERROR, message: `denied Bearer ${PLANTED}` });
    span.end();

    const [exported] = telemetry.memoryExporter?.getFinishedSpans() ?? [];
    expect(exported).toBeDefined();
    const seen = JSON.stringify({
      attributes: exported!.attributes,
      events: exported!.events,
      status: exported!.status,
    });
    expect(seen).not.toContain(PLANTED);
    expect(exported!.attributes).toMatchObject({
      'rpc.method': 'GetVersion',
      'http.request.header.authorization': REDACTED,
      'headstart.token': REDACTED,
      note: `retried with Bearer ${REDACTED}`,
    });
    expect(exported!.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

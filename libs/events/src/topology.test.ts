import { coveringSubject, streamConfig } from './ensure-topology';
import { retryDelay } from './consumer-delivery';
import { decodeEvent, encodeEvent, isEventType } from './event-codec';
import { EVENT_CONSUMERS, EVENT_TYPES, STREAMS, WORK_TYPES } from './topology';
import { sampleVersion } from './test-support';

// NATS subject matching, enough for the topology checks below.
function matches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

describe('topology', () => {
  it('puts every event subject on the events stream and every work subject on the work stream', () => {
    for (const { subject } of Object.values(EVENT_TYPES)) {
      expect(STREAMS.events.subjects.some((f) => matches(f, subject))).toBe(true);
      expect(STREAMS.work.subjects.some((f) => matches(f, subject))).toBe(false);
    }
    for (const { subject } of Object.values(WORK_TYPES)) {
      expect(STREAMS.work.subjects.some((f) => matches(f, subject))).toBe(true);
    }
  });

  it('has unique subjects, valid durable names and sane delivery policies', () => {
    const subjects = [...Object.values(EVENT_TYPES), ...Object.values(WORK_TYPES)].map((t) => t.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    const consumers = [
      ...Object.values(EVENT_CONSUMERS),
      ...Object.values(WORK_TYPES).map((w) => w.consumer),
    ];
    expect(new Set(consumers.map((c) => c.name)).size).toBe(consumers.length);
    for (const c of consumers) {
      expect(c.name).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(c.maxDeliver).toBeGreaterThan(1);
      expect(c.backoffMs.length).toBeGreaterThan(0);
      expect(c.ackWaitMs).toBeGreaterThanOrEqual(1_000);
    }
    for (const [key, c] of Object.entries(EVENT_CONSUMERS)) expect(c.name).toBe(key);
    for (const s of Object.values(STREAMS)) expect(s.duplicateWindowMs).toBeLessThanOrEqual(s.maxAgeMs);
  });

  it('round-trips every event type through its codec', () => {
    const version = sampleVersion('rt');
    expect(
      decodeEvent('checkpointRegistered', encodeEvent('checkpointRegistered', { version, final: true })),
    ).toEqual({ version, final: true });
    expect(isEventType('versionCreated')).toBe(true);
    expect(isEventType('toString')).toBe(false);
  });
});

describe('coveringSubject', () => {
  it('keeps a single subject and covers several with their common prefix', () => {
    expect(coveringSubject(['a.b.c'])).toBe('a.b.c');
    expect(coveringSubject(['a.b.c', 'a.b.c'])).toBe('a.b.c');
    expect(coveringSubject(['a.b.c', 'a.b.d'])).toBe('a.b.>');
    expect(coveringSubject(['a.b.c', 'a.x.c'])).toBe('a.>');
    expect(coveringSubject(['a.b', 'a.b.c'])).toBe('a.>');
    expect(coveringSubject(['a.b', 'x.y'])).toBe('>');
  });

  it('covers the finetune-triggers events without reaching the finetune events', () => {
    const filter = coveringSubject(
      EVENT_CONSUMERS['finetune-triggers'].events.map((e) => EVENT_TYPES[e].subject),
    );
    expect(filter).toBe('headstart.events.registry.>');
    expect(matches(filter, EVENT_TYPES.finetuneFinished.subject)).toBe(false);
  });
});

describe('retryDelay', () => {
  it('walks the backoff list and repeats its last value', () => {
    expect([1, 2, 3, 4, 9].map((n) => retryDelay([10, 20, 30], n))).toEqual([10, 20, 30, 30, 30]);
    expect(retryDelay([], 3)).toBe(0);
  });
});

describe('streamConfig', () => {
  it('keeps one replica by default and as many as asked on a cluster', () => {
    expect(streamConfig(STREAMS.events).num_replicas).toBe(1);
    expect(streamConfig(STREAMS.events, 3).num_replicas).toBe(3);
  });
});

import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { Code, fromServiceError } from '@headstart/errors';
import { defaultDeadline } from './client';
import { handleSignals } from './signals';
import { checkHealth, HealthClientCtor, startFixture, type HealthClient } from './test-fixture';

describe('shutdown', () => {
  it('reports NOT_SERVING while it drains, then runs hooks newest first after the server stopped', async () => {
    const { service, client } = await startFixture({ notServingGraceMs: 300 });
    const health = new HealthClientCtor(
      service.address,
      grpc.credentials.createInsecure(),
    ) as unknown as HealthClient;
    const watch = health.watch({ service: '' });
    const statuses: string[] = [];
    watch.on('error', () => undefined);
    watch.on('data', (msg: { status: string }) => statuses.push(msg.status));
    await once(watch, 'data');
    expect(statuses).toEqual(['SERVING']);

    const order: string[] = [];
    service.addShutdownHook('database', () => void order.push('database'));
    service.addShutdownHook('nats', async () => {
      order.push('nats');
      // The server has stopped by now: new calls cannot reach it.
      await expect(checkHealth(service.address, '')).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    });
    const startedAt = Date.now();
    const done = service.shutdown('test');
    expect(service.shutdown('again')).toBe(done);
    expect(await checkHealth(service.address, '')).toBe('NOT_SERVING');
    await done;
    // The open Watch stream was ended, not left to hold the drain until its 10 s limit.
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(statuses).toContain('NOT_SERVING');
    expect(order).toEqual(['nats', 'database']);
    health.close();
    client.close();
  });

  it('forces a hung stream closed within the drain limit', async () => {
    const drainTimeoutMs = 300;
    const { service, client, seen } = await startFixture({ drainTimeoutMs });
    const call = client.downloadArtifact(
      { ref: { name: 'hang', selector: { $case: 'latest', latest: true } } },
      { deadline: defaultDeadline(60_000) },
    );
    const failed = new Promise<unknown>((resolve) => call.on('error', resolve));
    const handlerAborted = seen.wait('downloadAborted');
    await seen.wait('hanging');

    const startedAt = Date.now();
    await service.shutdown('test');
    const took = Date.now() - startedAt;
    expect(took).toBeGreaterThanOrEqual(drainTimeoutMs - 20);
    expect(took).toBeLessThan(drainTimeoutMs + 2000);
    expect(fromServiceError(await handlerAborted).code).toBe(Code.CANCELLED);
    expect([Code.CANCELLED, Code.UNAVAILABLE]).toContain(fromServiceError(await failed).code);
    client.close();
  });

  it('rejects when a hook fails, after running the other hooks', async () => {
    const { service, client } = await startFixture();
    const ran: string[] = [];
    service.addShutdownHook('first', () => void ran.push('first'));
    service.addShutdownHook('broken', () => {
      throw new Error('close failed');
    });
    await expect(service.shutdown()).rejects.toThrow('1 shutdown hook(s) failed');
    expect(ran).toEqual(['first']);
    expect(() => service.addShutdownHook('late', () => undefined)).toThrow(/already started/);
    client.close();
  });
});

describe('handleSignals', () => {
  it('shuts down on SIGTERM and exits 0; a second signal exits 1 at once', async () => {
    const { service, client, lines } = await startFixture();
    const codes: number[] = [];
    const exited = new Promise<void>((resolve) => {
      const remove = handleSignals(service, service.logger, {
        exit: (code) => {
          codes.push(code);
          if (codes.length === 2) {
            remove();
            resolve();
          }
        },
      });
    });
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    await exited;
    expect(codes).toEqual([1, 0]);
    expect(lines.some((l) => l.msg === 'second signal: exiting without waiting for shutdown')).toBe(true);
    client.close();
  });
});

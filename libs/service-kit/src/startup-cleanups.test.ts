import { createService } from './create-service';
import { createLogger } from './logger';
import { createStartupCleanups } from './startup-cleanups';

const logger = createLogger({ name: 'startup-cleanups-test', level: 'silent' });

/** A cleanup that records its name in `closed` when it runs (and then fails, if given an error). */
function recorder(closed: string[], name: string, failure?: Error): () => Promise<void> {
  return async () => {
    closed.push(name);
    if (failure) throw failure;
  };
}

describe('createStartupCleanups', () => {
  it('undo closes newest first, goes on past a failure, and closes nothing twice', async () => {
    const closed: string[] = [];
    const cleanups = createStartupCleanups();
    cleanups.add('lock', recorder(closed, 'lock'));
    cleanups.add('database', recorder(closed, 'database', new Error('already closed')));
    cleanups.add('client', () => {
      closed.push('client');
      throw new Error('a synchronous failure');
    });
    await cleanups.undo();
    expect(closed).toEqual(['client', 'database', 'lock']);
    await cleanups.undo();
    expect(closed).toHaveLength(3);
  });

  it("handTo makes them the service's shutdown hooks, run newest first", async () => {
    const closed: string[] = [];
    const cleanups = createStartupCleanups();
    cleanups.add('lock', recorder(closed, 'lock'));
    cleanups.add('database', recorder(closed, 'database'));
    const service = await createService({
      name: 'cleanups',
      host: '127.0.0.1',
      port: 0,
      services: [],
      logger,
    });
    cleanups.handTo(service);
    await cleanups.undo(); // handed over: nothing left to undo
    expect(closed).toEqual([]);
    await service.shutdown('test');
    expect(closed).toEqual(['database', 'lock']);
  });
});

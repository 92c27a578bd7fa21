import * as fs from 'node:fs';
import { connect, StringCodec } from 'nats';
import { startNatsServer } from './nats-server';
import { isPortOpen } from './ports';
import { makeTempDir } from './temp-dir';

const sc = StringCodec();

describe('startNatsServer', () => {
  it('starts a JetStream server on a free port and stops it', async () => {
    const server = await startNatsServer();
    try {
      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      expect(server.running).toBe(true);
      const nc = await connect({ servers: server.url });
      const jsm = await nc.jetstreamManager();
      const info = await jsm.getAccountInfo();
      expect(info.streams).toBe(0);
      await nc.close();
    } finally {
      await server.stop();
    }
    expect(server.running).toBe(false);
    expect(server.pid).toBeUndefined();
    expect(await isPortOpen(server.port)).toBe(false);
    // stop() keeps the store so start() can bring the same data back.
    expect(fs.existsSync(server.storeDir)).toBe(true);
    await server.dispose();
    expect(fs.existsSync(server.storeDir)).toBe(false);
  });

  it('keeps JetStream data and the port across restart, kill and start', async () => {
    await using server = await startNatsServer();
    const port = server.port;
    const nc = await connect({ servers: server.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
    await nc.jetstream().publish('keep.a', sc.encode('one'));
    await nc.close();

    await server.restart();
    expect(server.port).toBe(port);
    const nc2 = await connect({ servers: server.url });
    const msg = await (await nc2.jetstreamManager()).streams.getMessage('KEEP', { seq: 1 });
    expect(sc.decode(msg.data)).toBe('one');
    await nc2.jetstream().publish('keep.b', sc.encode('two'));
    await nc2.close();

    await server.kill();
    expect(server.running).toBe(false);
    await server.start();
    const nc3 = await connect({ servers: server.url });
    const info = await (await nc3.jetstreamManager()).streams.info('KEEP');
    expect(info.state.messages).toBe(2);
    await nc3.close();
  });

  it('uses a given store dir and leaves it in place', async () => {
    await using dir = await makeTempDir('given-store');
    const server = await startNatsServer({ storeDir: dir.path });
    expect(server.storeDir).toBe(dir.path);
    await server.dispose();
    expect(fs.existsSync(dir.path)).toBe(true);
  });

  it('runs without JetStream when asked', async () => {
    await using server = await startNatsServer({ jetstream: false });
    const nc = await connect({ servers: server.url });
    await expect(nc.jetstreamManager()).rejects.toThrow();
    await nc.close();
  });

  it('explains how to install nats-server when the binary is missing', async () => {
    await expect(startNatsServer({ binary: '/nonexistent/nats-server' })).rejects.toThrow(
      /install the Debian package nats-server|\.ci\/bootstrap\.sh/,
    );
  });

  it('gives two servers different ports', async () => {
    await using a = await startNatsServer({ jetstream: false });
    await using b = await startNatsServer({ jetstream: false });
    expect(a.port).not.toBe(b.port);
  });
});

import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';

import { clientCallsFor } from './client-calls';
import { isAborted, toClientError } from './client-errors';
import { onAbort } from '@headstart/errors';
import { Code, HeadstartError } from '@headstart/errors';
import { deadAddress, EchoClient, failure, seen, useEchoServer, type EchoUnary } from './test-echo-service';

const calls = clientCallsFor({ name: 'the echo service', deadlineAdvice: 'raise the deadline' });
const plainCalls = clientCallsFor({ name: 'the echo service' });
const echo = useEchoServer();

describe('callUnary', () => {
  it('resolves with the response', async () => {
    const response = await calls.callUnary(
      echo.client.echo.bind(echo.client),
      Buffer.from('hi'),
      echo.ctx('Echo'),
    );
    expect(response.toString()).toBe('echo hi');
  });

  it('keeps a server error as it was sent: code, message and details', async () => {
    const err = await failure(
      calls.callUnary(echo.client.echo.bind(echo.client), Buffer.from('missing'), echo.ctx('Echo')),
    );
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.message).toBe("model 'missing' not found");
    expect(err.details).toEqual({ name: 'missing' });
  });

  it('names the method, server, address and deadline when the deadline passes (with the advice if any)', async () => {
    const advised = await failure(
      calls.callUnary(echo.client.echo.bind(echo.client), Buffer.from('hang'), echo.ctx('Echo', 50)),
    );
    expect(advised.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(advised.message).toMatch(
      new RegExp(
        `^Echo on the echo service at ${echo.address} did not finish within 50 ms \\(.+\\); raise the deadline$`,
      ),
    );
    const plain = await failure(
      plainCalls.callUnary(echo.client.echo.bind(echo.client), Buffer.from('hang'), echo.ctx('Echo', 50)),
    );
    expect(plain.message).toBe(`Echo on the echo service at ${echo.address} did not finish within 50 ms`);
  });

  it('says which server is unavailable and what to check, without grpc-js noise', async () => {
    const dead = await deadAddress();
    const deadClient = new EchoClient(dead, grpc.credentials.createInsecure());
    try {
      const err = await failure(
        calls.callUnary(deadClient.echo.bind(deadClient), Buffer.from('hi'), {
          ...echo.ctx('Echo'),
          address: dead,
        }),
      );
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.message).toMatch(
        new RegExp(
          `^the echo service at ${dead} is unavailable \\(.+\\): check that it is running and that the address is right$`,
        ),
      );
      expect(err.message).not.toContain('Resolution note');
    } finally {
      deadClient.close();
    }
  });

  it('cancels the call when the signal aborts, and does not start one when it already has', async () => {
    const controller = new AbortController();
    const hanging = once(seen, 'hanging');
    const cancelled = once(seen, 'cancelled');
    const pending = calls.callUnary(
      echo.client.echo.bind(echo.client),
      Buffer.from('hang'),
      echo.ctx('Echo'),
      controller.signal,
    );
    await hanging;
    controller.abort();
    const err = await failure(pending);
    expect(err.code).toBe(Code.CANCELLED);
    expect(err.message).toBe('Echo was cancelled by the caller');
    await cancelled;

    let invoked = false;
    const never = calls.callUnary(
      (() => {
        invoked = true;
        throw new Error('must not be called');
      }) as unknown as EchoUnary,
      Buffer.from('hi'),
      echo.ctx('Echo'),
      controller.signal,
    );
    expect((await failure(never)).code).toBe(Code.CANCELLED);
    expect(invoked).toBe(false);
  });
});

describe('waitForServer', () => {
  it('resolves for a running server and names the server it could not reach', async () => {
    await calls.waitForServer(echo.client, echo.address, 5_000);
    const dead = await deadAddress();
    const deadClient = new EchoClient(dead, grpc.credentials.createInsecure());
    try {
      const err = await failure(calls.waitForServer(deadClient, dead, 100));
      expect(err.code).toBe(Code.UNAVAILABLE);
      expect(err.message).toBe(
        `the echo service at ${dead} did not become reachable within 100 ms: check that it is running and that the address is right`,
      );
    } finally {
      deadClient.close();
    }
  });
});

describe('connect', () => {
  it("gives each call the client's unary or stream deadline unless the options or the call set it", () => {
    const defaults = { deadlineMs: 1_000, streamDeadlineMs: 60_000 };
    const connected = calls.connect(EchoClient, { address: echo.address }, defaults);
    try {
      expect(connected.deadlines).toEqual(defaults);
      expect(connected.context('Echo')).toEqual({ address: echo.address, method: 'Echo', deadlineMs: 1_000 });
      expect(connected.context('Count', {}, true).deadlineMs).toBe(60_000);
      expect(connected.context('Count', { deadlineMs: 5 }, true).deadlineMs).toBe(5);
    } finally {
      connected.grpcClient.close();
    }
    const configured = calls.connect(EchoClient, { address: echo.address, streamDeadlineMs: 7 }, defaults);
    expect(configured.deadlines).toEqual({ deadlineMs: 1_000, streamDeadlineMs: 7 });
    configured.grpcClient.close();
  });

  it('calls the generated method on its own client, named in errors, and waits for the server', async () => {
    const connected = calls.connect(
      EchoClient,
      { address: echo.address, deadlineMs: 50 },
      { deadlineMs: 5_000, streamDeadlineMs: 60_000 },
    );
    const { grpcClient, unary } = connected;
    try {
      await connected.waitForReady();
      expect((await unary('Echo', grpcClient.echo, Buffer.from('bound'))).toString()).toBe('echo bound');
      const err = await failure(unary('Echo', grpcClient.echo, Buffer.from('hang')));
      expect(err.message).toMatch(/^Echo on the echo service at .+ did not finish within 50 ms/);
      const longer = await failure(unary('Echo', grpcClient.echo, Buffer.from('hang'), { deadlineMs: 80 }));
      expect(longer.message).toMatch(/did not finish within 80 ms/);
    } finally {
      grpcClient.close();
    }
  });
});

describe('toClientError', () => {
  const service = { name: 'the echo service' };

  it('keeps a local failure as UNKNOWN with its own message', () => {
    const err = toClientError(new Error('disk full'), echo.ctx('Upload'), service);
    expect(err.code).toBe(Code.UNKNOWN);
    expect(err.message).toBe('Upload failed locally: Error: disk full');
  });

  it('passes a HeadstartError through, except transport codes, which it explains', () => {
    const domain = new HeadstartError(Code.FAILED_PRECONDITION, 'version is archived');
    expect(toClientError(domain, echo.ctx('Get'), service)).toBe(domain);
    const unavailable = toClientError(
      new HeadstartError(Code.UNAVAILABLE, 'no connection'),
      echo.ctx('Get'),
      service,
    );
    expect(unavailable.message).toBe(
      `the echo service at ${echo.address} is unavailable (no connection): check that it is running and that the address is right`,
    );
  });

  it('names where the address came from, when the caller says', () => {
    const err = toClientError(new HeadstartError(Code.UNAVAILABLE, 'no connection'), echo.ctx('Get'), {
      name: 'the pretrain service',
      addressSource: '--pretrain (or HEADSTART_PRETRAIN_ADDR)',
    });
    expect(err.message).toBe(
      `the pretrain service at ${echo.address} is unavailable (no connection): check that it is running ` +
        'and that --pretrain (or HEADSTART_PRETRAIN_ADDR) is right',
    );
  });
});

describe('isAborted and onAbort', () => {
  it('listen once and stop listening when asked', () => {
    expect(isAborted(undefined)).toBe(false);
    const controller = new AbortController();
    let calls = 0;
    const stop = onAbort(controller.signal, () => calls++);
    stop();
    controller.abort();
    expect(calls).toBe(0);
    expect(isAborted(controller.signal)).toBe(true);
    onAbort(undefined, () => calls++)();
  });
});

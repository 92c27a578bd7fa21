import { startNatsServer, type NatsServerHandle, type StartNatsServerOptions } from './nats-server';
import { freePort } from './ports';
import { waitFor } from './wait-for';

export interface StartNatsClusterOptions {
  /** Nodes in the cluster. Default 3 (the smallest that survives losing one with replicas 3). */
  size?: number;
  /** `--cluster_name`. Default `headstart-test`. */
  name?: string;
  /** How long to wait for a JetStream metadata leader after every node started. Default 30_000 ms. */
  leaderTimeoutMs?: number;
  /** Passed to each node's {@link startNatsServer} (binary, timeouts). */
  node?: Pick<StartNatsServerOptions, 'binary' | 'startTimeoutMs' | 'stopTimeoutMs'>;
}

export interface NatsClusterHandle {
  readonly nodes: readonly NatsServerHandle[];
  /** Every node's client URL, for a client that should fail over: `connect({ servers: cluster.urls })`. */
  readonly urls: string[];
  /** The last lines each node printed, for failure messages. */
  logs(): string;
  /** Stops every node and deletes their store dirs. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a JetStream cluster of real nats-server processes on 127.0.0.1: each node on a free client port
 * and a free route port, with its own temp store dir, a server name, `--cluster_name` and routes to every
 * other node. Resolves once the nodes elected a JetStream metadata leader (streams can be created).
 * A node can be killed (`nodes[i].kill()`, SIGKILL) and started again on the same ports and store dir.
 *
 *     await using cluster = await startNatsCluster();
 *     const nc = await connect({ servers: cluster.urls });
 */
export async function startNatsCluster(options: StartNatsClusterOptions = {}): Promise<NatsClusterHandle> {
  const size = options.size ?? 3;
  const name = options.name ?? 'headstart-test';
  const routePorts: number[] = [];
  while (routePorts.length < size) {
    const port = await freePort();
    if (!routePorts.includes(port)) routePorts.push(port);
  }
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`);
  const nodes: NatsServerHandle[] = [];
  const dispose = async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
  };
  try {
    // Started together: each node's JetStream waits for its peers' routes before it reports ready.
    const started = await Promise.all(
      routePorts.map((port, i) =>
        startNatsServer({
          ...options.node,
          extraArgs: [
            '--server_name',
            `${name}-${i}`,
            '--cluster_name',
            name,
            '--cluster',
            `nats://127.0.0.1:${port}`,
            '--routes',
            routes.filter((_, j) => j !== i).join(','),
          ],
        }).then((node) => {
          nodes.push(node);
          return node;
        }),
      ),
    );
    nodes.splice(0, nodes.length, ...started);
    await waitFor(() => nodes.some((n) => /metadata leader/i.test(n.logs())), {
      timeoutMs: options.leaderTimeoutMs ?? 30_000,
      intervalMs: 50,
      message: 'a JetStream metadata leader',
    });
  } catch (err) {
    await dispose();
    throw err;
  }
  const handle: NatsClusterHandle = {
    nodes,
    urls: nodes.map((n) => n.url),
    logs: () => nodes.map((n, i) => `--- node ${i} (${n.url}) ---\n${n.logs()}`).join('\n'),
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
  return handle;
}

import * as path from 'node:path';

import type { BackendChoice, BackendInfo } from '@headstart/compute';
import { createFinetuneService, createFinetuneWorker } from '@headstart/finetune';
import { createIngestService } from '@headstart/ingest';
import { createIngestClient, type IngestClient } from '@headstart/ingest-client';
import { createPretrainService, createPretrainWorker } from '@headstart/pretrain';
import { createPretrainClient, type PretrainClient } from '@headstart/pretrain-client';
import { createRegistryService } from '@headstart/registry';
import { createRegistryClient, type RegistryClient } from '@headstart/registry-client';
import type { Logger } from '@headstart/service-kit';
import { startNatsServer } from '@headstart/testing';

import { createFinetuneClient, type FinetuneClient } from '@headstart/finetune-client';

export interface LocalStackOptions {
  /**
   * Root of every local file: `nats/` (JetStream store), `registry/` (SQLite + blobs), `ingest/` (scratch
   * space), `pretrain-worker/` (shards cache, local checkpoints), `finetune/` (triggers and jobs),
   * `finetune-worker/` (job checkpoints).
   */
  home: string;
  /** Use this NATS instead of starting a local nats-server. */
  natsUrl?: string | undefined;
  /** TF.js backend of the workers and of predictions. @default 'auto' */
  backend?: BackendChoice | undefined;
  /**
   * gRPC ports on 127.0.0.1 (`headstart up` serves the CLI's default addresses); an unset or 0 port is
   * a free one. @default every port free
   */
  ports?: Partial<Readonly<Record<LocalStackService, number>>> | undefined;
  logger: Logger;
}

/** The services of the local stack that listen for gRPC. */
export type LocalStackService = 'registry' | 'ingest' | 'pretrain' | 'finetune';

/** The embedded-defaults deployment: one nats-server process, every service and one worker of each kind in this process. */
export interface LocalStack {
  readonly home: string;
  readonly natsUrl: string;
  readonly addresses: Readonly<Record<LocalStackService, string>>;
  /** The backend the workers train on. */
  readonly backend: BackendInfo;
  readonly registry: RegistryClient;
  readonly ingest: IngestClient;
  readonly pretrain: PretrainClient;
  /** Triggers, fine-tunes, predictions and studies. */
  readonly finetune: FinetuneClient;
  /** Stops everything in reverse start order (a pre-training run in progress checkpoints and is handed back). */
  shutdown(): Promise<void>;
}

/**
 * Starts a local nats-server (JetStream store under `home`, kept across runs, on a free port) unless a
 * URL is given, then the registry, ingest, the pretrain API and one pretrain worker, the finetune API and
 * one finetune worker, all in this process on loopback ports (free ones unless `ports` names them).
 */
/** How long each part may take to stop before the shutdown goes on without it. */
const STOP_TIMEOUT_MS = 30_000;

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { home, logger } = options;
  const backend = options.backend ?? 'auto';
  const host = '127.0.0.1';
  const port = (name: LocalStackService): number => options.ports?.[name] ?? 0;
  const stops: Array<{ name: string; stop: () => Promise<void> | void; worker?: true }> = [];
  const stopPart = async ({ name, stop }: (typeof stops)[number]): Promise<void> => {
    // A part that does not stop in time must not keep the others (and the job) from stopping: one run
    // of the main job waited on the pretrain service's shutdown for good.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        logger.warn({ part: name, seconds: STOP_TIMEOUT_MS / 1000 }, 'a part did not stop in time; going on');
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    await Promise.race([
      Promise.resolve()
        .then(stop)
        .catch((err: unknown) => logger.warn({ err, part: name }, 'stop failed')),
      late,
    ]);
    clearTimeout(timer);
  };
  // The workers first and together (the pretrain worker checkpoints its run at the next step while the
  // finetune worker hands its job back), then the rest in reverse start order: stopped one by one behind
  // an idle worker, the training ran on for half a minute after a Ctrl-C.
  const shutdown = async (): Promise<void> => {
    const parts = stops.splice(0).reverse();
    await Promise.all(parts.filter((p) => p.worker).map(stopPart));
    for (const part of parts.filter((p) => !p.worker)) await stopPart(part);
  };
  try {
    let natsUrl = options.natsUrl;
    if (natsUrl === undefined) {
      const nats = await startNatsServer({ storeDir: path.join(home, 'nats') });
      stops.push({ name: 'nats-server', stop: () => nats.stop() });
      natsUrl = nats.url;
      logger.info({ natsUrl, storeDir: nats.storeDir }, 'local nats-server started');
    }
    const service = (name: string) => logger.child({ service: name });

    const registryService = await createRegistryService({
      dataDir: path.join(home, 'registry'),
      host,
      port: port('registry'),
      natsUrl,
      logger: service('registry'),
    });
    stops.push({ name: 'registry', stop: () => registryService.shutdown('pipeline finished') });
    const registryAddress = `${host}:${registryService.port}`;

    const ingestService = await createIngestService({
      dataDir: path.join(home, 'ingest'),
      registryAddress,
      natsUrl,
      host,
      port: port('ingest'),
      logger: service('ingest'),
    });
    stops.push({ name: 'ingest', stop: () => ingestService.shutdown('pipeline finished') });

    const pretrainService = await createPretrainService({
      natsUrl,
      registryAddress,
      host,
      port: port('pretrain'),
      logger: service('pretrain'),
    });
    stops.push({ name: 'pretrain', stop: () => pretrainService.shutdown('pipeline finished') });
    const pretrainWorker = await createPretrainWorker({
      natsUrl,
      registryAddress,
      dataDir: path.join(home, 'pretrain-worker'),
      backend,
      logger: service('pretrain-worker'),
    });
    stops.push({
      name: 'pretrain worker',
      stop: () => pretrainWorker.stop('pipeline finished'),
      worker: true,
    });

    const finetuneService = await createFinetuneService({
      dataDir: path.join(home, 'finetune'),
      registryAddress,
      pretrainAddress: `${host}:${pretrainService.port}`,
      natsUrl,
      host,
      port: port('finetune'),
      backend,
      logger: service('finetune'),
    });
    stops.push({ name: 'finetune', stop: () => finetuneService.shutdown('pipeline finished') });
    const finetuneWorker = await createFinetuneWorker({
      registryAddress,
      natsUrl,
      dataDir: path.join(home, 'finetune-worker'),
      backend,
      logger: service('finetune-worker'),
    });
    stops.push({
      name: 'finetune worker',
      stop: () => finetuneWorker.shutdown('pipeline finished'),
      worker: true,
    });

    const addresses = {
      registry: registryAddress,
      ingest: `${host}:${ingestService.port}`,
      pretrain: `${host}:${pretrainService.port}`,
      finetune: `${host}:${finetuneService.port}`,
    };
    const registry = createRegistryClient({ address: addresses.registry });
    const ingest = createIngestClient({ address: addresses.ingest });
    const pretrain = createPretrainClient({ address: addresses.pretrain });
    const finetune = createFinetuneClient({ address: addresses.finetune });
    stops.push({
      name: 'clients',
      stop: () => {
        registry.close();
        ingest.close();
        pretrain.close();
        finetune.close();
      },
    });
    const info = finetuneWorker.backend;
    logger.info(
      { backend: info.name, kind: info.kind, threads: info.threads, requested: backend, ...addresses },
      `local stack started; compute backend ${info.name} (${info.kind})`,
    );
    return {
      home,
      natsUrl,
      addresses,
      backend: info,
      registry,
      ingest,
      pretrain,
      finetune,
      shutdown,
    };
  } catch (err) {
    await shutdown();
    throw err;
  }
}

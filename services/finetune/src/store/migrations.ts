// Schema of the finetune service's SQLite file, applied in order; `user_version` counts those that ran.
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE triggers (
     id              TEXT PRIMARY KEY,
     base_model_name TEXT NOT NULL,
     created_ms      INTEGER NOT NULL,
     trigger         BLOB NOT NULL  -- headstart.finetune.v1.Trigger, protobuf-encoded
   ) STRICT;
   CREATE INDEX triggers_by_model ON triggers (base_model_name, created_ms);

   CREATE TABLE finetunes (
     id              TEXT PRIMARY KEY,
     created_ms      INTEGER NOT NULL,
     state           INTEGER NOT NULL,
     base_model_name TEXT NOT NULL,
     base_version_id TEXT NOT NULL,
     -- NULL for manual jobs (NULLs never collide in a UNIQUE constraint).
     trigger_id      TEXT,
     idempotency_key TEXT UNIQUE,
     -- Outbox flag: 0 until the work item is stored on JetStream; rows at 0 are (re-)enqueued.
     enqueued        INTEGER NOT NULL DEFAULT 0,
     finetune        BLOB NOT NULL, -- headstart.finetune.v1.Finetune, protobuf-encoded
     -- One job per (checkpoint version, trigger), whatever redeliveries or restarts happen.
     UNIQUE (base_version_id, trigger_id)
   ) STRICT;
   CREATE INDEX finetunes_by_created ON finetunes (created_ms DESC, id DESC);
   CREATE INDEX finetunes_by_trigger ON finetunes (trigger_id);
   CREATE INDEX finetunes_to_enqueue ON finetunes (created_ms) WHERE enqueued = 0;`,
  // Transfer studies, and the link from a trial job to its study.
  `CREATE TABLE studies (
     id              TEXT PRIMARY KEY,
     created_ms      INTEGER NOT NULL,
     state           INTEGER NOT NULL,
     base_model_name TEXT NOT NULL,
     base_version_id TEXT NOT NULL,
     trigger_id      TEXT,
     idempotency_key TEXT UNIQUE,
     study           BLOB NOT NULL, -- headstart.finetune.v1.Study without its trials, protobuf-encoded
     -- One study per (checkpoint version, trigger), as for jobs.
     UNIQUE (base_version_id, trigger_id)
   ) STRICT;
   CREATE INDEX studies_by_created ON studies (created_ms DESC, id DESC);
   CREATE INDEX studies_unfinished ON studies (state) WHERE state IN (1, 2);

   ALTER TABLE finetunes ADD COLUMN study_id TEXT;
   CREATE INDEX finetunes_by_study ON finetunes (study_id) WHERE study_id IS NOT NULL;`,
  // The pre-training runs adaptation triggers started (or why they could not), one per (trigger,
  // checkpoint version), as for jobs and studies.
  `CREATE TABLE trigger_runs (
     trigger_id      TEXT NOT NULL,
     base_version_id TEXT NOT NULL,
     run_id          TEXT NOT NULL, -- '' when the run could not start
     error           TEXT NOT NULL,
     created_ms      INTEGER NOT NULL,
     PRIMARY KEY (trigger_id, base_version_id)
   ) STRICT;`,
  // The W3C trace context (traceparent, tracestate) of the request that created the job, as JSON: its
  // work item is published in that trace however late (the sweep after a crash), so the worker's spans
  // join the trace that started the job.
  `ALTER TABLE finetunes ADD COLUMN trace TEXT NOT NULL DEFAULT '{}';`,
  // Fine-tune jobs moved to the job store (a JetStream KV bucket the workers write too, libs/jobs); the
  // API copies the rows there before this runs (legacy-jobs.ts).
  `DROP TABLE finetunes;`,
];

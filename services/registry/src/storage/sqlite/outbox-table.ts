import type { OutboxMessage } from '../../domain/outbox-events';
import { isOutboxEventType } from '../../domain/outbox-events';
import type { OutboxRecord } from '../metadata-store';
import type { Sql } from './sql';

/** Appends events to the outbox; call inside the transaction that makes the change they describe. */
export function insertOutbox(sql: Sql, messages: readonly OutboxMessage[], at: Date): void {
  const trace = JSON.stringify(sql.traceHeaders());
  for (const message of messages) {
    sql.run(
      'INSERT INTO outbox (event_type, msg_id, payload, created_at, trace) VALUES (?, ?, ?, ?, ?)',
      message.eventType,
      message.msgId,
      Buffer.from(message.payload),
      at.getTime(),
      trace,
    );
  }
}

interface OutboxRow {
  seq: number;
  event_type: string;
  msg_id: string;
  payload: Buffer;
  attempts: number;
  created_at: number;
  trace: string;
}

export function pendingOutbox(sql: Sql, limit: number, afterSeq: number): OutboxRecord[] {
  const rows = sql.all<OutboxRow>(
    `SELECT seq, event_type, msg_id, payload, attempts, created_at, trace FROM outbox
     WHERE published_at IS NULL AND seq > ? ORDER BY seq LIMIT ?`,
    afterSeq,
    limit,
  );
  return rows.map((row) => {
    if (!isOutboxEventType(row.event_type)) {
      throw new Error(`outbox row ${row.seq} has unknown event type ${JSON.stringify(row.event_type)}`);
    }
    return {
      seq: row.seq,
      eventType: row.event_type,
      msgId: row.msg_id,
      payload: new Uint8Array(row.payload),
      attempts: row.attempts,
      createdAt: new Date(row.created_at),
      trace: JSON.parse(row.trace) as Record<string, string>,
    };
  });
}

export function markOutboxPublished(sql: Sql, seq: number, at: Date): void {
  sql.run(
    'UPDATE outbox SET published_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?',
    at.getTime(),
    seq,
  );
}

export function recordOutboxFailure(sql: Sql, seq: number, error: string): void {
  sql.run(
    'UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?',
    error.slice(0, 2000),
    seq,
  );
}

export function pruneOutbox(sql: Sql, before: Date): number {
  return sql.run('DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ?', before.getTime())
    .changes;
}

export function countPendingOutbox(sql: Sql): number {
  return sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL')?.n ?? 0;
}

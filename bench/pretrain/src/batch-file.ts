// The batches of a training run in a flat binary file, so the PyTorch reference trains on exactly the
// batches and masks Headstart's loop draws. Per record, little-endian: f64 lr, i32 batchSize, i32 seqLen,
// i32 masked, then i32 inputIds[batchSize·seqLen], i32 maskedPositions[masked], i32 maskedLabels[masked].
// Rows are never padded here (the corpus is far longer than a window), so there is no attention mask.
import fs from 'node:fs';
import type { MlmBatch } from '@headstart/model';

export function encodeBatchRecord(lr: number, batch: MlmBatch): Buffer {
  if (batch.attentionMask) throw new Error('padded batches are not supported by the batch file');
  const cells = batch.batchSize * batch.seqLen;
  const masked = batch.maskedPositions.length;
  const out = Buffer.alloc(8 + 12 + 4 * (cells + 2 * masked));
  out.writeDoubleLE(lr, 0);
  out.writeInt32LE(batch.batchSize, 8);
  out.writeInt32LE(batch.seqLen, 12);
  out.writeInt32LE(masked, 16);
  let at = 20;
  for (const array of [batch.inputIds, batch.maskedPositions, batch.maskedLabels]) {
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, at);
    at += array.byteLength;
  }
  return out;
}

/** Writes records as they are produced; returns the number of bytes written. */
export function writeBatchFile(path: string, records: Iterable<{ lr: number; batch: MlmBatch }>): number {
  const fd = fs.openSync(path, 'w');
  let bytes = 0;
  try {
    for (const { lr, batch } of records) {
      const record = encodeBatchRecord(lr, batch);
      fs.writeSync(fd, record);
      bytes += record.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

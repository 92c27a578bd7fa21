// The pipeline's finetune client's call settings: the typed clients' call helpers of @headstart/errors
// (deadlines, cancellation, HeadstartErrors that name the server), with the pipeline's default deadlines.
import type { CallSettings, ClientDeadlines } from '@headstart/errors';

/** Per-call deadline and cancellation. @default deadline: 30 s for unary calls, 24 h for streams */
export type CallOptions = CallSettings;

export const PIPELINE_DEADLINES: ClientDeadlines = { deadlineMs: 30_000, streamDeadlineMs: 24 * 3_600_000 };

/**
 * What the events library needs from a message type: ts-proto's generated `MessageFns<T>`
 * (e.g. `events.CheckpointRegistered`) satisfies it as is.
 */
export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/** The message type a codec produces. */
export type CodecMessage<C> = C extends { decode(bytes: Uint8Array): infer T } ? T : never;

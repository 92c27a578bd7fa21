import { EVENT_TYPES, type EventMessage, type EventType, type EventTypeDef } from './topology';

// TypeScript cannot correlate EVENT_TYPES[K] with EventMessage<K> for a generic K; the table is
// checked entry by entry where it is declared.
function codecOf<K extends EventType>(eventType: K): EventTypeDef<EventMessage<K>>['codec'] {
  return (EVENT_TYPES[eventType] as EventTypeDef<unknown>).codec as EventTypeDef<EventMessage<K>>['codec'];
}

/** Protobuf bytes of an event, e.g. to store in a transactional outbox row and publish later. */
export function encodeEvent<K extends EventType>(eventType: K, message: EventMessage<K>): Uint8Array {
  return codecOf(eventType).encode(message).finish();
}

export function decodeEvent<K extends EventType>(eventType: K, data: Uint8Array): EventMessage<K> {
  return codecOf(eventType).decode(data);
}

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_TYPES, value);
}

export { connectEvents } from './bus';
export type {
  ConnectEventsOptions,
  DecodedEvent,
  EventBus,
  EventContext,
  EventHandler,
  PublishOptions,
  PublishResult,
  WorkHandler,
} from './bus';
export type { Codec, CodecMessage } from './codec';
export type { ConnectionState } from './connection-state';
export type {
  ConsumeOptions,
  ConsumerHandle,
  ConsumerStats,
  DeliveryContext,
  StopOptions,
} from './consumer-types';
export { DLQ_HEADERS, DeadLetterError, deadLetterMsgId, deadLetterSubject } from './dead-letter';
export type { DeadLetterReason, DeadLetterReceipt } from './dead-letter';
export { maxDeliveriesSubject } from './max-deliveries';
export type {
  ExhaustedWork,
  ExhaustedWorkHandler,
  MaxDeliveriesOptions,
  MaxDeliveriesStats,
  MaxDeliveriesWatch,
  SweepResult,
} from './max-deliveries';
export type { QueuedWork, WorkListing, WorkStatus } from './work-listing';
export type { EventsLogger } from './logger';
export { decodeEvent, encodeEvent, isEventType } from './event-codec';
export { captureTraceHeaders, traceContextFromHeaders } from './trace';
export type { DeadLetter, ReadDeadLettersOptions } from './read-dead-letters';
export {
  DLQ_SUBJECT_PREFIX,
  EVENT_CONSUMERS,
  EVENT_TYPES,
  STREAMS,
  WORK_TYPES,
  defineEventConsumer,
  defineWorkType,
} from './topology';
export type {
  DeliveryPolicy,
  EventConsumerDef,
  EventConsumerEvents,
  EventConsumerName,
  EventMessage,
  EventType,
  EventTypeDef,
  StreamDef,
  WorkItem,
  WorkType,
  WorkTypeDef,
} from './topology';
export {
  NATS_USERS,
  SERVICE_SUBJECTS,
  natsAuthorizationConf,
  natsInboxPrefix,
  natsPasswordEnv,
  passwordFromEnv,
} from './permissions';
export type { NatsComponent, NatsPermissions, NatsUserDef, PasswordOf } from './permissions';

// Public surface of the generated protobuf code: one namespace per proto package.
import * as path from 'node:path';

export * as common from './gen/headstart/common/v1/common';
export * as registry from './gen/headstart/registry/v1/registry';
export * as events from './gen/headstart/events/v1/events';
export * as ingest from './gen/headstart/ingest/v1/ingest';
export * as pretrain from './gen/headstart/pretrain/v1/pretrain';
export * as finetune from './gen/headstart/finetune/v1/finetune';

/** Path of the FileDescriptorSet of every Headstart proto (with imports), used by server reflection. */
export const descriptorSetPath: string = path.join(__dirname, '..', 'descriptor', 'headstart.binpb');

export { createLogger } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { CONFIG_TABLE_HEADER, ConfigError, describeConfig, readConfig } from './config';
export type {
  AddressVar,
  BooleanVar,
  ConfigSpec,
  ConfigValues,
  EnumVar,
  IntVar,
  NumberVar,
  PortVar,
  StringVar,
  UrlVar,
  VarSpec,
} from './config';
export { bidiStream, clientStream, serverStream, unary } from './handlers';
export type { BidiStreamHandler, ClientStreamHandler, ServerStreamHandler, UnaryHandler } from './handlers';
export type { CallContext, ServerStreamContext } from './call-context';
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HANDLER_GRACE_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  createService,
} from './create-service';
export type { RunningService, ServiceOptions, ServiceRegistration } from './create-service';
export { HEALTH_SERVICE_NAME, serviceNameOf } from './introspection';
export { handleSignals } from './signals';
export { lockDataDir } from './data-dir-lock';
export { createStartupCleanups } from './startup-cleanups';
export type { StartupCleanups } from './startup-cleanups';
export type { DataDirLock, DataDirLockOptions } from './data-dir-lock';
export type { SignalOptions } from './signals';
export { EXIT_BAD_CONFIG, EXIT_FAILED, runServiceMain, telemetryOptionsFromEnv } from './run-service-main';
export type { ServiceMainOptions, StoppableProcess } from './run-service-main';
export {
  LOG_LEVELS,
  TELEMETRY_EXPORTERS,
  logLevelVar,
  natsStreamReplicasVar,
  observabilityConfigSpec,
  threadsVar,
} from './observability-config';
export { createChannelOptions, defaultDeadline, waitForReady } from './client';
export type { ChannelOptions } from './client';
export {
  INPUT_LIMITS,
  ITEM_LIMIT_OVERRIDES,
  charLimitOf,
  checkChars,
  checkItems,
  itemLimitOf,
  tooLong,
  tooMany,
} from './input-limits';
export { boundedFieldsOf, requestCheckFor } from './request-bounds';
export type { BoundedField, RequestCheck } from './request-bounds';
export { securityConfigSpec, securityOf } from './security-config';
export type { SecurityConfigValues, SecuritySettings, TlsSettings } from './security-config';
export { channelCredentialsOf, serverCredentialsOf, tlsChannelOptions } from './tls-credentials';
export { bearerTokenInterceptor, clientSecurityOf } from './client-security';
export type { ClientSecurity } from './client-security';
export { GRANTABLE_ROLES, authenticatedIdentity, requireRole } from './auth/roles';
export type { GrantableRole, Role, RpcRoles } from './auth/roles';
export { hashToken, openTokenStore, parseTokensFile } from './auth/token-store';
export type { Principal, TokenStore } from './auth/token-store';
export { natsSecurityOf } from './nats-security';
export { connectServiceBus } from './service-bus';
export type { ServiceBusOptions } from './service-bus';
export type { NatsSecurity } from './nats-security';

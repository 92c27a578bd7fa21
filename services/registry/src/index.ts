// @headstart/registry: the registry service (models, versions, aliases, tags, lineage, artifacts) to start
// in-process, and its configuration. Clients use @headstart/registry-client. The stores behind it are
// internal: this repo's benchmarks reach them through `@headstart/registry/internal`.
export {
  createRegistryService,
  DEFAULT_DOWNLOAD_CHUNK_BYTES,
  DEFAULT_MAX_ARTIFACT_BYTES,
  DEFAULT_REGISTRY_PORT,
} from './create-registry-service';
export type { RegistryServiceHandle, RegistryServiceOptions } from './create-registry-service';
export { registryConfigSpec } from './config';
export type { RegistryConfig } from './config';

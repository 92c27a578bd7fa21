import { registry } from '@headstart/proto';

/**
 * The RegistryService definition the server registers: the generated one, except that GetVersion
 * answers built around a cached version (see ReadCache: deep-frozen, so immutable) reuse their encoded
 * bytes. Encoding the same ModelVersion again on every lookup was a tenth of a GetVersion's server
 * CPU once the lookup itself was cached (bench/registry). Keyed by the version object's identity in a
 * WeakMap, so an entry lives exactly as long as the cache holds that object.
 */
export function registryServiceDefinition(): typeof registry.RegistryServiceService {
  const generated = registry.RegistryServiceService;
  const encode = generated.getVersion.responseSerialize;
  const encoded = new WeakMap<registry.ModelVersion, Buffer>();
  return {
    ...generated,
    getVersion: {
      ...generated.getVersion,
      responseSerialize: (response: registry.GetVersionResponse): Buffer => {
        const version = response.version;
        // Only a response that is exactly { version: <frozen cached version> } has fixed bytes.
        if (version === undefined || !Object.isFrozen(version) || Object.keys(response).length !== 1) {
          return encode(response);
        }
        let bytes = encoded.get(version);
        if (bytes === undefined) {
          bytes = encode(response);
          encoded.set(version, bytes);
        }
        return bytes;
      },
    },
  };
}

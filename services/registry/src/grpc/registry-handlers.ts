import { invalidArgument, notFound } from '@headstart/errors';
import type { registry } from '@headstart/proto';
import { clientStream, requireRole, serverStream, unary } from '@headstart/service-kit';

import type { Registry } from '../core/registry';
import { toLocator } from '../domain/locator';
import { validateModelName } from '../domain/names';
import { getAliasHistoryHandler, listModelsHandler, searchVersionsHandler } from './listing-handlers';
import { aliasTarget, auditFields, lineageDirection, tagChange, versionNumber } from './requests';
import { actorOf } from './caller';

/**
 * The RegistryService implementation: each handler validates its request (INVALID_ARGUMENT names
 * the field), calls the registry, and lets the kit map thrown HeadstartErrors to statuses.
 */
export function createGrpcRegistryHandlers(registryCore: Registry): registry.RegistryServiceServer {
  const metadata = registryCore.metadata;
  return {
    createVersion: clientStream<registry.CreateVersionRequest, registry.CreateVersionResponse>(
      async (requests, ctx) => {
        const result = await registryCore.createVersion(requests, ctx.signal);
        ctx.logger.info(
          {
            versionId: result.version.id,
            model: result.version.modelName,
            version: result.version.version,
            size: result.version.artifactSize,
            deduplicated: result.deduplicated,
          },
          result.deduplicated ? 'version upload deduplicated' : 'version committed',
        );
        return result;
      },
    ),

    getVersion: unary<registry.GetVersionRequest, registry.GetVersionResponse>(async (request) => ({
      version: await metadata.resolveVersion(toLocator(request.ref)),
    })),

    getModel: unary<registry.GetModelRequest, registry.GetModelResponse>(async (request) => {
      const name = validateModelName(request.name, 'name');
      const model = await metadata.getModel(name);
      if (!model) throw notFound(`model ${JSON.stringify(name)} not found`);
      return { model };
    }),

    listModels: listModelsHandler(metadata),
    searchVersions: searchVersionsHandler(metadata),
    getAliasHistory: getAliasHistoryHandler(metadata),

    setAlias: unary<registry.SetAliasRequest, registry.SetAliasResponse>(async (request, ctx) => {
      if (request.protected === true || request.overrideProtection) {
        requireRole(ctx.metadata, 'admin', 'protecting an alias or overriding its protection');
      }
      const alias = await metadata.setAlias({
        ...aliasTarget(request.modelName, request.alias),
        ...auditFields(actorOf(ctx, request.actor), request.reason),
        version: versionNumber(request.version),
        protected: request.protected,
        overrideProtection: request.overrideProtection,
        at: new Date(),
      });
      registryCore.notifyCommitted();
      ctx.logger.info({ model: alias.modelName, alias: alias.name, version: alias.version }, 'alias set');
      return { alias };
    }),

    deleteAlias: unary<registry.DeleteAliasRequest, registry.DeleteAliasResponse>(async (request, ctx) => {
      const target = aliasTarget(request.modelName, request.alias);
      await metadata.deleteAlias({
        ...target,
        ...auditFields(actorOf(ctx, request.actor), request.reason),
        overrideProtection: request.overrideProtection,
        at: new Date(),
      });
      registryCore.notifyCommitted();
      ctx.logger.info({ model: target.modelName, alias: target.alias }, 'alias deleted');
      return {};
    }),

    setTags: unary<registry.SetTagsRequest, registry.SetTagsResponse>(async (request) => {
      const change = tagChange(request.add, request.remove);
      const target = request.target;
      if (!target) throw invalidArgument('target is required: a model_name or a version reference');
      if (target.$case === 'modelName') {
        return { tags: await metadata.setModelTags(validateModelName(target.modelName), change) };
      }
      const tags = await metadata.setVersionTags(toLocator(target.version, 'version'), change);
      registryCore.notifyCommitted();
      return { tags };
    }),

    getLineage: unary<registry.GetLineageRequest, registry.GetLineageResponse>(async (request) => {
      const root = await metadata.resolveVersion(toLocator(request.ref));
      const { nodes, edges } = await metadata.lineage({
        versionId: root.id,
        direction: lineageDirection(request.direction),
        maxDepth: request.maxDepth === 0 ? undefined : request.maxDepth,
      });
      return { root, nodes, edges };
    }),

    downloadArtifact: serverStream<registry.DownloadArtifactRequest, registry.DownloadArtifactResponse>(
      async (request, ctx) => {
        const artifact = await registryCore.openArtifact(toLocator(request.ref));
        await ctx.send({ payload: { $case: 'info', info: artifact.info } });
        // send() resolves when the transport has room again: a slow client slows the file reads.
        for await (const chunk of artifact.chunks) {
          await ctx.send({ payload: { $case: 'chunk', chunk } });
        }
      },
    ),

    deleteVersion: unary<registry.DeleteVersionRequest, registry.DeleteVersionResponse>(
      async (request, ctx) => {
        const deleted = await registryCore.deleteVersion(
          validateModelName(request.modelName),
          versionNumber(request.version),
          actorOf(ctx, ''),
        );
        ctx.logger.info(
          { versionId: deleted.id, model: deleted.modelName, version: deleted.version },
          'version deleted',
        );
        return {};
      },
    ),
  };
}

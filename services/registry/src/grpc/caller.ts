import { authenticatedIdentity, type CallContext } from '@headstart/service-kit';

/**
 * The actor recorded in alias history: the authenticated identity when authentication is on (what the
 * client wrote is ignored), else the `actor` the request names.
 */
export function actorOf(ctx: CallContext, requested: string): string {
  return authenticatedIdentity(ctx.metadata) ?? requested;
}

import type { NotificationListener } from '../events/listener.js';

/** What the registry needs of a socket (a `ws` WebSocket has it). */
export interface ClosableSocket {
  close(code?: number, reason?: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/** graphql-ws's own code for a refused connection; a revoked or expired token ends its sockets with it too. */
export const FORBIDDEN_CLOSE_CODE = 4403;
export const FORBIDDEN_CLOSE_REASON = 'Forbidden';

/**
 * The open graphql-ws sockets of this API process, by the id of the token they authenticated
 * with, so a revocation closes them at once. A socket leaves the registry when it closes.
 */
export class SocketRegistry<S extends ClosableSocket = ClosableSocket> {
  private readonly byToken = new Map<string, Set<S>>();

  add(tokenId: string, socket: S): void {
    let sockets = this.byToken.get(tokenId);
    if (!sockets) {
      sockets = new Set();
      this.byToken.set(tokenId, sockets);
    }
    sockets.add(socket);
    socket.once('close', () => this.remove(tokenId, socket));
  }

  remove(tokenId: string, socket: S): void {
    const sockets = this.byToken.get(tokenId);
    if (!sockets) return;
    sockets.delete(socket);
    if (!sockets.size) this.byToken.delete(tokenId);
  }

  /** Open sockets of one token (for tests and diagnostics). */
  count(tokenId: string): number {
    return this.byToken.get(tokenId)?.size ?? 0;
  }

  /** Closes every socket of these tokens with 4403; returns how many were closed. */
  closeTokens(tokenIds: readonly string[]): number {
    let closed = 0;
    for (const tokenId of tokenIds) {
      const sockets = this.byToken.get(tokenId);
      if (!sockets) continue;
      this.byToken.delete(tokenId);
      for (const socket of sockets) {
        socket.close(FORBIDDEN_CLOSE_CODE, FORBIDDEN_CLOSE_REASON);
        closed += 1;
      }
    }
    return closed;
  }

  /**
   * Follows `tokens.revoked` announcements (from any API process, through LISTEN/NOTIFY) and
   * closes the sockets of the revoked tokens. Returns the function that stops following.
   */
  followRevocations(listener: NotificationListener): () => Promise<void> {
    const revocations = listener.subscribe('tokens.revoked', () => true);
    const following = (async () => {
      for await (const revoked of revocations) {
        // The payload crossed the database: only a list of strings is acted upon.
        if (Array.isArray(revoked.tokenIds)) this.closeTokens(revoked.tokenIds.filter((id): id is string => typeof id === 'string'));
      }
    })();
    return async () => {
      await revocations.return?.();
      await following;
    };
  }
}

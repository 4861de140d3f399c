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
 * Open sockets are checked again this often, operation or not: a token that expired, or whose
 * revocation announcement was missed (the LISTEN connection was away), ends its sockets by then.
 */
const SOCKET_RECHECK_MS = 60_000;

/** Says whether a token is still valid (false for revoked, expired, or its user deleted). */
export type TokenCheck = (token: string) => Promise<boolean>;

interface TokenSockets<S> {
  token: string;
  sockets: Set<S>;
}

/**
 * The open graphql-ws sockets of this API process, by the id of the token they authenticated
 * with, so a revocation closes them at once. A socket leaves the registry when it closes.
 */
export class SocketRegistry<S extends ClosableSocket = ClosableSocket> {
  private readonly byToken = new Map<string, TokenSockets<S>>();

  add(tokenId: string, token: string, socket: S): void {
    let entry = this.byToken.get(tokenId);
    if (!entry) {
      entry = { token, sockets: new Set() };
      this.byToken.set(tokenId, entry);
    }
    entry.sockets.add(socket);
    socket.once('close', () => this.remove(tokenId, socket));
  }

  remove(tokenId: string, socket: S): void {
    const entry = this.byToken.get(tokenId);
    if (!entry) return;
    entry.sockets.delete(socket);
    if (!entry.sockets.size) this.byToken.delete(tokenId);
  }

  /** Open sockets of one token (for tests and diagnostics). */
  count(tokenId: string): number {
    return this.byToken.get(tokenId)?.sockets.size ?? 0;
  }

  /** Closes every socket of these tokens with 4403; returns how many were closed. */
  closeTokens(tokenIds: readonly string[]): number {
    let closed = 0;
    for (const tokenId of tokenIds) {
      const entry = this.byToken.get(tokenId);
      if (!entry) continue;
      this.byToken.delete(tokenId);
      for (const socket of entry.sockets) {
        socket.close(FORBIDDEN_CLOSE_CODE, FORBIDDEN_CLOSE_REASON);
        closed += 1;
      }
    }
    return closed;
  }

  /**
   * Checks every token with open sockets once (one lookup per token, one at a time) and closes the
   * sockets of those no longer valid. A failed lookup keeps the sockets: the next operation or
   * recheck decides. Returns how many sockets were closed.
   */
  async recheck(isValid: TokenCheck): Promise<number> {
    let closed = 0;
    for (const [tokenId, entry] of [...this.byToken]) {
      const valid = await isValid(entry.token).catch(() => true);
      if (!valid) closed += this.closeTokens([tokenId]);
    }
    return closed;
  }

  /** Rechecks every `intervalMs` (a recheck still running is not overlapped); returns the stop function. */
  recheckEvery(isValid: TokenCheck, intervalMs = SOCKET_RECHECK_MS): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.recheck(isValid).finally(() => (running = false)).catch(() => undefined);
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Follows `tokens.revoked` announcements (from any API process, through LISTEN/NOTIFY) and
   * closes the sockets of the revoked tokens. Returns the function that stops following.
   */
  followRevocations(listener: NotificationListener): () => void {
    return listener.on('tokens.revoked', (revoked) => {
      // The payload crossed the database: only a list of strings is acted upon.
      if (Array.isArray(revoked.tokenIds)) this.closeTokens(revoked.tokenIds.filter((id): id is string => typeof id === 'string'));
    });
  }
}

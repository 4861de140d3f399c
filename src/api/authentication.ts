import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { settleWithin } from '../domain/deadline.js';
import type { Viewer } from '../services/viewer.js';

/** Looks a bearer token up: the viewer, or null for an unknown, revoked, expired or malformed token. */
export type TokenAuthenticator = (token: string) => Promise<Viewer | null>;

export const MISSING_TOKEN = 'missing bearer token: send "Authorization: Bearer <token>"';
export const INVALID_TOKEN = 'the bearer token is not valid';

/**
 * A token lookup that hangs (a pool with no free connection, a stalled database) must not hold the
 * request, nor a socket's operation, forever.
 */
const AUTHENTICATION_TIMEOUT_MS = 5_000;

class AuthenticationUnavailable extends Error {
  constructor() {
    super('authentication is unavailable for the moment: retry later');
    this.name = 'AuthenticationUnavailable';
  }
}

/** The token of an `Authorization: Bearer <token>` header (or connection parameter), or null. */
export function bearerOf(header: string | null | undefined): string | null {
  if (!header || header.length > 1024) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

export function unauthenticatedError(message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** `authenticate` bounded in time: AuthenticationUnavailable when the lookup takes too long or fails. */
export async function authenticateWithin(authenticateToken: TokenAuthenticator, token: string, timeoutMs = AUTHENTICATION_TIMEOUT_MS): Promise<Viewer | null> {
  try {
    return await settleWithin(() => authenticateToken(token), timeoutMs, () => {
      throw new AuthenticationUnavailable();
    });
  } catch (error) {
    if (error instanceof AuthenticationUnavailable) throw error;
    // The database's message may quote the token's digest: it stays out of the log.
    console.error(`[api] token lookup failed: ${error instanceof Error ? error.name : 'unknown error'}`);
    throw new AuthenticationUnavailable();
  }
}

function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/**
 * Every HTTP request to the GraphQL endpoint authenticates first, in Yoga's earliest hook: without
 * a valid token the answer is 401 before the body is read, parsed or validated, so an anonymous
 * caller cannot make the API do any GraphQL work. The viewer found here is kept for the operation's
 * context (`viewers`), so the token is looked up once per request.
 *
 * The GraphiQL page (development only) is answered by Yoga's own hook, which runs before this one:
 * its HTML is served without a token, and everything it sends afterwards needs one.
 */
export function httpAuthenticationPlugin(authenticateToken: TokenAuthenticator, viewers: WeakMap<Request, Viewer>): Plugin {
  return {
    async onRequest(payload) {
      const { request } = payload;
      const token = bearerOf(request.headers.get('authorization'));
      if (!token) {
        payload.endResponse(errorResponse(401, 'UNAUTHENTICATED', MISSING_TOKEN, { 'www-authenticate': 'Bearer' }));
        return;
      }
      let viewer: Viewer | null;
      try {
        viewer = await authenticateWithin(authenticateToken, token);
      } catch (error) {
        payload.endResponse(errorResponse(503, 'SERVICE_UNAVAILABLE', (error as Error).message, { 'retry-after': '1' }));
        return;
      }
      if (!viewer) {
        payload.endResponse(errorResponse(401, 'UNAUTHENTICATED', INVALID_TOKEN, { 'www-authenticate': 'Bearer error="invalid_token"' }));
        return;
      }
      viewers.set(request, viewer);
    },
  };
}

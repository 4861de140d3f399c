import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { createSourceEventStream, execute as executeGraphQL, getOperationAST, GraphQLError, OperationTypeNode, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { createGraphQLError, type YogaServerInstance } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GraphQLContext } from '../../schema/context.js';
import type { Viewer } from '../services/viewer.js';
import { authenticateWithin, bearerOf, INVALID_TOKEN, unauthenticatedError, type TokenAuthenticator } from './authentication.js';
import { sourceIpOf } from './http-server.js';
import { FORBIDDEN_CLOSE_CODE, FORBIDDEN_CLOSE_REASON, type SocketRegistry } from './socket-registry.js';
import type { ApiMetrics } from '../observability/metrics.js';
import { operationLabelsOf } from '../observability/operation-label.js';
import { startOperationTimer } from './request-metrics.js';
import type { SharedSubscription, SubscriptionCohorts } from './subscription-cohorts.js';

export interface GraphQLWebSocketOptions {
  server: Server;
  path: string;
  /** Largest message accepted on a socket, in bytes. */
  maxPayload: number;
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  authenticateToken: TokenAuthenticator;
  registry: SocketRegistry;
  /** Open sockets one token may hold at once in this process. */
  maxSocketsPerToken: number;
  /** Where subscriptions run, identical ones together. */
  cohorts: SubscriptionCohorts;
  /** Subscription setup is timed here (it runs outside Yoga's execute). */
  metrics?: ApiMetrics;
  /** When a row's announcement arrived (the live feed knows), for the fan-out delay. */
  receivedAtOf(row: unknown): number | undefined;
  /** The error masking Yoga applies: subscribe-time errors go through it too. */
  maskError(error: unknown, message: string, isDev?: boolean): Error;
}

/** Operations (subscriptions, mostly) running at once on one socket. */
const MAX_OPERATIONS_PER_SOCKET = 100;
/** A token past its socket limit: a close code of our own (graphql-ws leaves 4000–4999 to applications). */
const TOO_MANY_SOCKETS_CLOSE_CODE = 4429;

/** What a connection remembers: its token (checked again on every operation) and the latest viewer. */
interface ConnectionState extends Record<PropertyKey, unknown> {
  token: string;
  viewer: Viewer;
}

/** The token of `connection_init`'s payload: `{ authorization: "Bearer …" }` or `{ token: "…" }`. */
function tokenOfConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  const header = params.authorization ?? params.Authorization;
  if (typeof header === 'string') return bearerOf(header);
  return typeof params.token === 'string' && params.token.length <= 1024 ? params.token : null;
}

/** `extensions.http` tells Yoga the HTTP status; a socket has none to give. */
function forSocket(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) => {
    if (!error.extensions?.http) return error;
    const { http: _status, ...extensions } = error.extensions;
    return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions });
  });
}

/** What Yoga's envelop hands out for one operation (its own types say `any`). */
interface EnvelopedOperation {
  schema: GraphQLSchema;
  parse: (source: string) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
  contextFactory: () => Promise<unknown>;
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * What makes two subscriptions give the same results: the operation text and variables, and what
 * resolvers may read of the viewer (tenant, role, platform administration, tenant state). Resolvers
 * reachable from a subscription must not depend on anything else of the viewer (the user, the token).
 */
function cohortKeyOf(query: string, operationName: string | null | undefined, variables: unknown, viewer: Viewer): string {
  const identity = JSON.stringify([query, operationName ?? null, variables ?? null, viewer.tenantId, viewer.role, viewer.platformAdmin, viewer.tenantState]);
  return createHash('sha256').update(identity).digest('base64url');
}

/**
 * graphql-ws on the GraphQL path. `connection_init` without a valid token is refused (4403); every
 * operation on an open socket authenticates the token again, so a freeze reaches the next
 * operation's context and a revoked or expired token closes the socket (4403). Operations go
 * through Yoga's envelop (`getEnveloped`): the same document limits, validation and error masking
 * as over HTTP. Sockets are registered by token, so that a revocation (and the registry's periodic
 * recheck, for expiries) closes them even when they send nothing.
 */
interface SharedSubscriptionParts {
  key: string;
  operation: string;
  args: { schema: ExecutionArgs['schema']; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> };
  contextValue: GraphQLContext;
  options: Pick<GraphQLWebSocketOptions, 'receivedAtOf' | 'maskError'>;
}

/**
 * A subscription operation as a cohort runs it: the root field's subscribe resolver once (it decides
 * whether the viewer may watch), then the selection executed once per event, each time with a fresh
 * EntityManager so nested fields read current rows.
 */
function sharedSubscription(parts: SharedSubscriptionParts): SharedSubscription {
  const { args, contextValue, options } = parts;
  const masked = (errors: readonly GraphQLError[] | undefined) => (errors ?? []).map((error) => options.maskError(error, 'Unexpected error.', false) as GraphQLError);
  return {
    key: parts.key,
    operation: parts.operation,
    open: async () => {
      const source = await createSourceEventStream({ ...args, contextValue });
      if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
      return { errors: masked(source.errors) };
    },
    // graphql-js's own execution of one event, as its `subscribe` would do it (Yoga's `execute`
    // would start another subscription); errors are masked as Yoga masks them.
    execute: async (row) => {
      const result = await executeGraphQL({ ...args, rootValue: row, contextValue: { ...contextValue, em: contextValue.em.fork() } });
      return result.errors ? { ...result, errors: masked(result.errors) } : result;
    },
    receivedAtOf: options.receivedAtOf,
  };
}

export function serveGraphQLOverWebSocket(options: GraphQLWebSocketOptions): { close(): Promise<void> } {
  const { yoga, registry, authenticateToken } = options;
  const wss = new WebSocketServer({ server: options.server, path: options.path, maxPayload: options.maxPayload });
  const disposable = useServer<Record<string, unknown>, ConnectionState>(
    {
      onConnect: async (ctx) => {
        const token = tokenOfConnectionParams(ctx.connectionParams);
        if (!token) return false;
        // A lookup that fails or hangs refuses the connection (graphql-ws closes it with 4500).
        const viewer = await authenticateWithin(authenticateToken, token);
        if (!viewer) return false;
        if (registry.count(viewer.tokenId) >= options.maxSocketsPerToken) {
          // Each socket holds memory and subscriptions: one token cannot take the process's share.
          ctx.extra.socket.close(TOO_MANY_SOCKETS_CLOSE_CODE, `Too many connections for this token (at most ${options.maxSocketsPerToken})`);
          return false;
        }
        ctx.extra.token = token;
        ctx.extra.viewer = viewer;
        registry.add(viewer.tokenId, token, ctx.extra.socket);
        return true;
      },
      execute: (args: ExecutionArgs) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args: ExecutionArgs) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length >= MAX_OPERATIONS_PER_SOCKET) {
          return [createGraphQLError(`at most ${MAX_OPERATIONS_PER_SOCKET} operations may run at once on one connection`, { extensions: { code: 'TOO_MANY_OPERATIONS' } })];
        }
        const token = ctx.extra.token;
        let viewer: Viewer | null = null;
        try {
          viewer = token ? await authenticateWithin(authenticateToken, token) : null;
        } catch (error) {
          return [createGraphQLError((error as Error).message, { extensions: { code: 'SERVICE_UNAVAILABLE' } })];
        }
        if (!viewer) {
          // Revoked, expired, or its user deleted since the socket opened: the socket ends here.
          ctx.extra.socket.close(FORBIDDEN_CLOSE_CODE, FORBIDDEN_CLOSE_REASON);
          return forSocket([unauthenticatedError(INVALID_TOKEN)]);
        }
        ctx.extra.viewer = viewer;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          viewer,
          sourceIp: sourceIpOf(ctx.extra.request),
          params: payload,
        }) as EnvelopedOperation;
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return forSocket([error instanceof GraphQLError ? error : createGraphQLError((error as Error).message)]);
        }
        const errors = validate(schema, document);
        if (errors.length) return forSocket(errors);
        const operation = getOperationAST(document, payload.operationName);
        if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
          const contextValue = (await contextFactory()) as GraphQLContext;
          const shared = sharedSubscription({
            key: cohortKeyOf(payload.query, payload.operationName, payload.variables, viewer),
            operation: operationLabelsOf(schema, document, payload.operationName).operation,
            args: { schema, document, operationName: payload.operationName, variableValues: payload.variables ?? undefined },
            contextValue,
            options,
          });
          const member = { socket: ctx.extra.socket, id, transport: ctx.extra.request.socket };
          const timed = options.metrics ? startOperationTimer(options.metrics, contextValue, { schema, document, operationName: payload.operationName }) : () => {};
          return {
            schema,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables ?? undefined,
            contextValue,
            rootValue: { subscribe: () => options.cohorts.join(shared, member).finally(timed) },
          };
        }
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables ?? undefined,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );
  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

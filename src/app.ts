import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { NoSchemaIntrospectionCustomRule, type ExecutionArgs } from 'graphql';
import { createGraphQLError, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { AppServices, GraphQLContext } from '../schema/context.js';
import { schema } from '../schema/index.js';
import { loadConfig, secretKeyOf, type AosConfig } from './config.js';
import { initORM } from './db/orm.js';
import { NotificationListener } from './events/listener.js';
import { queryLimitsRule } from './api/limits.js';
import { requestBodyPlugin } from './api/request-body.js';
import { maskError } from './api/errors.js';
import { authenticate, ensureBootstrapAdmin } from './services/auth.js';
import { SecretBox } from './services/secret-box.js';
import { connectTemporal } from './temporal/client.js';
import type { Viewer } from './services/viewer.js';

export interface App {
  config: AosConfig;
  orm: MikroORM;
  services: AppServices;
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  server: Server;
  /** Starts HTTP + graphql-ws on the same path; resolves with the GraphQL URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface BuildAppOptions {
  config?: Partial<AosConfig>;
  /** A ready ORM (tests share one); otherwise one is created and closed with the app. */
  orm?: MikroORM;
}

function unauthenticated(message: string): Error {
  return createGraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

function bearerOf(header: string | null | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

function sourceIpOf(req: IncomingMessage | undefined): string | null {
  const address = req?.socket?.remoteAddress;
  return address ? address.replace(/^::ffff:/, '') : null;
}

export async function buildApp(options: BuildAppOptions = {}): Promise<App> {
  const config = loadConfig(options.config);
  const orm = options.orm ?? (await initORM(config.databaseUrl));
  if (config.adminToken) await ensureBootstrapAdmin(orm.em.fork(), config.adminToken);
  const listener = new NotificationListener(config.databaseUrl);
  await listener.start();
  const temporal = await connectTemporal(config);
  const secrets = new SecretBox(secretKeyOf(config));
  const services: AppServices = { config, listener, runner: { client: temporal.client, taskQueue: config.taskQueue }, secrets };

  const viewerFor = async (token: string | null): Promise<Viewer> => {
    if (!token) throw unauthenticated('missing bearer token: send "Authorization: Bearer <token>"');
    const viewer = await authenticate(orm.em.fork(), token);
    if (!viewer) throw unauthenticated('the bearer token is not valid');
    return viewer;
  };

  const plugins: Plugin[] = [
    requestBodyPlugin(config.maxBodyBytes),
    {
      onValidate({ addValidationRule }) {
        addValidationRule(queryLimitsRule());
        if (config.production) addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    },
  ];

  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: !config.production,
    landingPage: false,
    batching: false,
    maskedErrors: { maskError, isDev: false },
    logging: config.production ? 'warn' : 'info',
    plugins,
    context: async (initial) => {
      const wsViewer = initial.viewer as Viewer | undefined;
      const req = initial.req as IncomingMessage | undefined;
      const viewer = wsViewer ?? (await viewerFor(bearerOf((initial.request as Request | undefined)?.headers.get('authorization'))));
      return { em: orm.em.fork(), viewer, sourceIp: (initial.sourceIp as string | undefined) ?? sourceIpOf(req), services };
    },
  });

  const server = createServer(async (req, res) => {
    if (req.url === '/health') {
      try {
        await orm.em.fork().getConnection().execute('select 1');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } catch {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"database unreachable"}');
      }
      return;
    }
    await yoga.handle(req, res);
  });

  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: config.maxBodyBytes });
  type WsExtra = { request: IncomingMessage; viewer?: Viewer };
  const wsServer = useServer<Record<string, unknown>, WsExtra>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const raw = (params.authorization ?? params.Authorization) as string | undefined;
        const token = bearerOf(raw) ?? (typeof params.token === 'string' ? params.token : null);
        try {
          ctx.extra.viewer = await viewerFor(token);
          return true;
        } catch {
          return false;
        }
      },
      execute: (args: ExecutionArgs) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args: ExecutionArgs) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const { schema: envSchema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          viewer: ctx.extra.viewer,
          sourceIp: sourceIpOf(ctx.extra.request),
          params: payload,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [createGraphQLError((error as Error).message)];
        }
        const errors = validate(envSchema, document);
        if (errors.length) return errors;
        return {
          schema: envSchema,
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
    config,
    orm,
    services,
    yoga,
    server,
    listen: (port = config.port, host = config.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${host}:${address.port}/graphql`);
        });
      }),
    close: async () => {
      await wsServer.dispose();
      wss.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
      await listener.close();
      await temporal.close();
      if (!options.orm) await orm.close(true);
    },
  };
}

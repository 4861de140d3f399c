import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { AppServices, GraphQLContext } from '../schema/context.js';
import { schema } from '../schema/index.js';
import { loadConfig, secretKeyOf, type AosConfig } from './config.js';
import { initORM } from './db/orm.js';
import { LiveFeed } from './events/live-feed.js';
import { createApiMetrics, type ApiMetrics } from './observability/metrics.js';
import { requestMetricsPlugin } from './api/request-metrics.js';
import { NotificationListener } from './events/listener.js';
import { authenticateWithin, httpAuthenticationPlugin, unauthenticatedError, MISSING_TOKEN, type TokenAuthenticator } from './api/authentication.js';
import { hideSuggestionsPlugin, maskErrorWithoutSuggestions, maskError } from './api/errors.js';
import { consoleFiles } from './api/console.js';
import { graphiqlFiles, graphiqlPagePlugin } from './api/graphiql.js';
import { serveGraphQLOverWebSocket } from './api/graphql-ws.js';
import { createApiServer, sourceIpOf } from './api/http-server.js';
import { queryLimitsPlugins } from './api/limits.js';
import { requestBodyPlugin } from './api/request-body.js';
import { SocketRegistry } from './api/socket-registry.js';
import { SubscriptionCohorts } from './api/subscription-cohorts.js';
import { authenticate, ensureBootstrapAdmin } from './services/auth.js';
import { SecretBox } from './security/secret-box.js';
import { connectTemporal, type TemporalHandle } from './temporal/client/connection.js';
import { createDriverRegistry } from './drivers/registry.js';
import { TemporalActionRunner } from './temporal/client/action-runner.js';
import type { Viewer } from './services/viewer.js';
import { ElkLayoutEngine } from './topology/elk-engine.js';
import { TopologyLayouts } from './topology/layouts.js';

export interface App {
  config: AosConfig;
  orm: MikroORM;
  services: AppServices;
  /** The Temporal connection behind `services.runner` (the readiness check and tests use it too). */
  temporal: TemporalHandle;
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  server: Server;
  /** Open graphql-ws sockets by token: a revocation closes them. */
  sockets: SocketRegistry;
  /** Subscriptions of this process, identical ones sharing their work. */
  cohorts: SubscriptionCohorts;
  /** The process's one LISTEN connection. */
  listener: NotificationListener;
  /** What `/metrics` shows. */
  metrics: ApiMetrics;
  /** Starts HTTP + graphql-ws on the same path; resolves with the GraphQL URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface BuildAppOptions {
  config?: Partial<AosConfig>;
  /** A ready ORM (tests share one); otherwise one is created and closed with the app. */
  orm?: MikroORM;
}

export async function buildApp(options: BuildAppOptions = {}): Promise<App> {
  const config = loadConfig(options.config);
  const orm = options.orm ?? (await initORM(config.databaseUrl));
  if (config.adminToken) await ensureBootstrapAdmin(orm.em.fork(), config.adminToken);
  const listener = new NotificationListener(config.databaseUrl);
  await listener.start();
  const temporal = await connectTemporal(config);
  const secrets = new SecretBox(secretKeyOf(config));
  const metrics = createApiMetrics();
  const live = new LiveFeed(listener, () => orm.em.fork(), {
    counters: {
      reloadQueries: (topic) => metrics.liveReloadQueries.inc({ topic }),
      rowsLoaded: (topic, count) => metrics.liveRowsLoaded.inc({ topic }, count),
    },
  });
  const topology = new TopologyLayouts(new ElkLayoutEngine());
  const services: AppServices = {
    config,
    live,
    runner: new TemporalActionRunner(temporal.client, config.taskQueue),
    secrets,
    drivers: createDriverRegistry({ docker: config.docker }),
    topology,
  };

  const authenticateToken: TokenAuthenticator = (token) => authenticate(orm.em.fork(), token);
  // The viewer each HTTP request authenticated as, before any GraphQL work (see httpAuthenticationPlugin).
  const requestViewers = new WeakMap<Request, Viewer>();
  // Suggestions would hand the schema out a name at a time where introspection is off.
  const hideSuggestions = config.production;
  // GraphiQL's own files, served by this API (no CDN); never in production.
  const graphiql = config.production ? null : graphiqlFiles();

  const plugins: Plugin[] = [
    requestMetricsPlugin(metrics),
    httpAuthenticationPlugin(authenticateToken, requestViewers),
    requestBodyPlugin(config.maxBodyBytes),
    ...queryLimitsPlugins(),
    ...(hideSuggestions ? [hideSuggestionsPlugin()] : []),
    ...(graphiql ? [graphiqlPagePlugin()] : []),
    {
      onValidate({ addValidationRule }) {
        if (config.production) addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    },
  ];

  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Development only: the page's HTML is served without a token; every request it sends needs
    // one, typed into its headers editor (opened, with the header to fill in). Its scripts and
    // styles come from this API (`/graphiql/…`), nothing from another host.
    graphiql: graphiql ? { title: 'AOS GraphiQL', headers: JSON.stringify({ Authorization: 'Bearer <your token>' }), defaultEditorToolsVisibility: 'headers' } : false,
    ...(graphiql ? { renderGraphiQL: (options?: object) => graphiql.renderPage({ ...options }) } : {}),
    landingPage: false,
    batching: false,
    // Documents stay cached; validation results do not: the cost rule reads the request's variables.
    parserAndValidationCache: { validationCache: false },
    maskedErrors: { maskError: hideSuggestions ? maskErrorWithoutSuggestions : maskError, isDev: false },
    logging: config.production ? 'warn' : 'info',
    plugins,
    context: (initial) => {
      const viewer = (initial.viewer as Viewer | undefined) ?? requestViewers.get(initial.request);
      // Unreachable through the server (authentication answers 401 first); a guard for other entries.
      if (!viewer) throw unauthenticatedError(MISSING_TOKEN);
      const req = initial.req as Parameters<typeof sourceIpOf>[0];
      return { em: orm.em.fork(), viewer, sourceIp: (initial.sourceIp as string | undefined) ?? sourceIpOf(req), services };
    },
  });

  const server = createApiServer({
    graphqlPath: '/graphql',
    handleGraphQL: (req, res) => yoga.handle(req, res),
    metrics: { registry: metrics.registry, token: config.metricsToken },
    graphiql: graphiql ?? undefined,
    // Unlike GraphiQL, on in production too: it is a client of the API like any other.
    console: config.console ? consoleFiles(config.consoleDir) : undefined,
    liveness: { database: () => orm.em.fork().getConnection().execute('select 1') },
    readiness: {
      database: () => orm.em.fork().getConnection().execute('select 1'),
      temporal: () => temporal.client.connection.withDeadline(Date.now() + 2_000, () => temporal.client.workflowService.getSystemInfo({})),
    },
  });

  const sockets = new SocketRegistry();
  const stopFollowingRevocations = sockets.followRevocations(listener);
  const stopRechecking = sockets.recheckEvery(async (token) => (await authenticateWithin(authenticateToken, token)) !== null);
  const cohorts = new SubscriptionCohorts({
    maxBufferedBytes: config.subscriberBufferBytes,
    counters: {
      subscribers: (operation, delta) => metrics.subscribers.inc({ operation }, delta),
      cohorts: (operation, delta) => metrics.subscriptionCohorts.inc({ operation }, delta),
      delivered: (operation, count, delayMs) => {
        if (count > 0) metrics.messagesSent.inc({ operation }, count);
        if (delayMs !== undefined) metrics.fanoutDelay.observe({ operation }, delayMs / 1000);
      },
      disconnected: (reason) => metrics.subscriptionDisconnects.inc({ reason }),
    },
  });
  const graphqlWs = serveGraphQLOverWebSocket({
    server,
    path: '/graphql',
    maxPayload: config.maxBodyBytes,
    yoga,
    authenticateToken,
    registry: sockets,
    maxSocketsPerToken: config.maxSocketsPerToken,
    cohorts,
    metrics,
    receivedAtOf: (row) => (row !== null && typeof row === 'object' ? live.receivedAtOf(row) : undefined),
    maskError: hideSuggestions ? maskErrorWithoutSuggestions : maskError,
  });

  return {
    config,
    orm,
    services,
    temporal,
    yoga,
    server,
    sockets,
    cohorts,
    listener,
    metrics,
    listen: (port = config.port, host = config.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve(`http://${host}:${address.port}/graphql`);
        });
      }),
    close: async () => {
      stopRechecking();
      stopFollowingRevocations();
      live.close();
      await topology.close();
      await graphqlWs.close();
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

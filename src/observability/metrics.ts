// Prometheus metrics of the API and worker processes (prom-client, text format at /metrics).
// Each process (and each app a test builds) owns its Registry: nothing registers globally, so
// several apps in one process never collide. Label values come from closed sets (schema root
// fields, action and outcome names, fixed reasons), never from tenants' or clients' strings, so
// the number of series is bounded whatever clients send.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ActionOutcome } from '../domain/lifecycle.js';
import type { RecordedAction } from '../domain/stack-state.js';

/** Our own metrics start with this; prom-client's process and Node.js metrics keep their names. */
const METRIC_PREFIX = 'aos_';

/** Request latencies: 5 ms (a cached read) to 10 s (a request at its limits). */
const REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Notification → message on every socket: 1 ms (one row, few sockets) to 10 s (a backlog). */
const FANOUT_DELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ApiMetrics {
  registry: Registry;
  /** aos_subscriptions: open subscriptions (socket × operation) by root field, e.g. operation="stackEvents". */
  subscribers: Gauge<'operation'>;
  /** aos_subscription_cohorts: shared executions (identical subscriptions share one). */
  subscriptionCohorts: Gauge<'operation'>;
  /** aos_live_rows_loaded_total: rows reloaded for live delivery, topic="stack.event"|"stack.changed"|"audit.recorded". */
  liveRowsLoaded: Counter<'topic'>;
  /** aos_live_reload_queries_total: queries run to reload announced rows. */
  liveReloadQueries: Counter<'topic'>;
  /** aos_subscription_messages_total: messages written to sockets (events fanned out). */
  messagesSent: Counter<'operation'>;
  /** aos_subscription_fanout_delay_seconds: notification received by this process → message written to every socket. */
  fanoutDelay: Histogram<'operation'>;
  /** aos_subscription_disconnects_total: sockets closed by the server, reason="slow_consumer"|"feed_lost". */
  subscriptionDisconnects: Counter<'reason'>;
  /** aos_graphql_request_duration_seconds: parse → execution done (or subscription set up), by operation_type and first root field. */
  requestDuration: Histogram<'operation_type' | 'operation'>;
}

export interface WorkerMetrics {
  registry: Registry;
  /** aos_workflow_actions_started_total: lifecycle actions whose workflow began (ACTION_STARTED recorded). */
  actionsStarted: Counter<'action'>;
  /** aos_workflow_actions_finished_total: lifecycle actions that ended, by outcome. */
  actionsFinished: Counter<'action' | 'outcome'>;
}

/** A registry with prom-client's process metrics (CPU, resident memory, event-loop lag, GC, heap). */
function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createApiMetrics(): ApiMetrics {
  const registry = processRegistry();
  const registers = [registry];
  return {
    registry,
    subscribers: new Gauge({ name: `${METRIC_PREFIX}subscriptions`, help: 'Open subscriptions (socket x operation) by root field', labelNames: ['operation'], registers }),
    subscriptionCohorts: new Gauge({ name: `${METRIC_PREFIX}subscription_cohorts`, help: 'Shared subscription executions (identical subscriptions share one) by root field', labelNames: ['operation'], registers }),
    liveRowsLoaded: new Counter({ name: `${METRIC_PREFIX}live_rows_loaded_total`, help: 'Rows reloaded for live delivery, by notification topic', labelNames: ['topic'], registers }),
    liveReloadQueries: new Counter({ name: `${METRIC_PREFIX}live_reload_queries_total`, help: 'Queries run to reload announced rows for live delivery, by notification topic', labelNames: ['topic'], registers }),
    messagesSent: new Counter({ name: `${METRIC_PREFIX}subscription_messages_total`, help: 'Subscription messages written to sockets (events fanned out), by root field', labelNames: ['operation'], registers }),
    fanoutDelay: new Histogram({
      name: `${METRIC_PREFIX}subscription_fanout_delay_seconds`,
      help: 'From a notification received by this process to its message written to every subscribed socket',
      labelNames: ['operation'],
      buckets: FANOUT_DELAY_BUCKETS,
      registers,
    }),
    subscriptionDisconnects: new Counter({ name: `${METRIC_PREFIX}subscription_disconnects_total`, help: 'Sockets closed by the server, by reason (slow_consumer, feed_lost)', labelNames: ['reason'], registers }),
    requestDuration: new Histogram({
      name: `${METRIC_PREFIX}graphql_request_duration_seconds`,
      help: 'GraphQL operations from parsing to the end of execution (subscriptions: to their setup), by operation type and first root field; refused documents under operation="(invalid)"',
      labelNames: ['operation_type', 'operation'],
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    }),
  };
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = processRegistry();
  const registers = [registry];
  return {
    registry,
    actionsStarted: new Counter({ name: `${METRIC_PREFIX}workflow_actions_started_total`, help: 'Lifecycle actions whose workflow began (ACTION_STARTED recorded), by action', labelNames: ['action'], registers }),
    actionsFinished: new Counter({
      name: `${METRIC_PREFIX}workflow_actions_finished_total`,
      help: 'Lifecycle actions that ended, by action and outcome (completed, failed, rolled_back, rollback_failed, cancelled)',
      labelNames: ['action', 'outcome'],
      registers,
    }),
  };
}

const ACTIONS: ReadonlySet<string> = new Set<RecordedAction>(['INSTALL', 'UPDATE', 'START', 'STOP', 'DELETE', 'ROLLBACK']);

/** The action as a label: one of the recorded actions, or "(unknown)" (workflow input is not trusted to be one). */
export function actionLabel(action: string): string {
  return ACTIONS.has(action) ? action : '(unknown)';
}

const OUTCOMES: Record<ActionOutcome, string> = {
  COMPLETE: 'completed',
  FAILED: 'failed',
  ROLLED_BACK: 'rolled_back',
  ROLLBACK_FAILED: 'rollback_failed',
  CANCELLED: 'cancelled',
};

export function outcomeLabel(outcome: ActionOutcome): string {
  return OUTCOMES[outcome] ?? '(unknown)';
}

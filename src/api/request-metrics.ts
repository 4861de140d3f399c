import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ApiMetrics } from '../observability/metrics.js';
import { INVALID, operationLabelsOf, operationTypeOf, UNKNOWN } from '../observability/operation-label.js';

/**
 * When parsing began, by the operation's context object: envelop hands every phase of one
 * operation (parse, validate, context, execute or subscribe) the same object. Keyed weakly, so an
 * entry lives as long as its operation; no state is shared between operations or apps.
 */
const parseStartedAt = new WeakMap<object, number>();
/** Operations already counted as refused (a document fails parsing or validation once). */
const refused = new WeakSet<object>();

function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

export interface TimedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
}

/**
 * Starts timing one operation whose document passed validation; the returned function observes it
 * in `aos_graphql_request_duration_seconds` (from the start of parsing, when that went through
 * envelop with `context`, else from now). For operations run outside envelop's execute/subscribe
 * (graphql-ws subscription cohorts): call it with the operation's context and call `done()` once
 * the subscription is in place.
 */
export function startOperationTimer(metrics: ApiMetrics, context: object, operation: TimedOperation): () => void {
  const start = parseStartedAt.get(context) ?? performance.now();
  const labels = operationLabelsOf(operation.schema, operation.document, operation.operationName);
  let observed = false;
  return () => {
    if (observed) return;
    observed = true;
    metrics.requestDuration.observe({ operation_type: labels.operation_type, operation: labels.operation }, secondsSince(start));
  };
}

function observeRefused(metrics: ApiMetrics, context: object, operationType: string): void {
  if (refused.has(context)) return;
  refused.add(context);
  const start = parseStartedAt.get(context);
  metrics.requestDuration.observe({ operation_type: operationType, operation: INVALID }, start === undefined ? 0 : secondsSince(start));
}

/**
 * Times GraphQL operations into `aos_graphql_request_duration_seconds`: from the start of parsing
 * to the end of execution (a subscription: to its setup; its events are the fan-out's metrics), by
 * operation type and first root field. Documents refused before execution (syntax, limits,
 * validation) count under operation="(invalid)". Everything that runs Yoga's envelop comes through
 * here, HTTP and graphql-ws alike. Reading the body and authentication are not included.
 */
export function requestMetricsPlugin(metrics: ApiMetrics): Plugin {
  return {
    // Instrumentation wraps the whole phase, other plugins' hooks included: a document refused by
    // a limit (graphql-armor) or a cached syntax error throws from here.
    instrumentation: {
      parse({ context }, parse) {
        if (!parseStartedAt.has(context)) parseStartedAt.set(context, performance.now());
        try {
          parse();
        } catch (error) {
          observeRefused(metrics, context, UNKNOWN);
          throw error;
        }
      },
      validate({ context }, validate) {
        try {
          validate();
        } catch (error) {
          observeRefused(metrics, context, UNKNOWN);
          throw error;
        }
      },
    },
    onValidate({ params, context }) {
      return ({ valid }) => {
        if (!valid) observeRefused(metrics, context, operationTypeOf(params.documentAST as DocumentNode));
      };
    },
    onExecute({ args }) {
      return { onExecuteDone: startOperationTimer(metrics, args.contextValue, args) };
    },
    onSubscribe({ args }) {
      const done = startOperationTimer(metrics, args.contextValue, args);
      return { onSubscribeResult: done, onSubscribeError: done };
    },
  };
}

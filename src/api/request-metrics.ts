import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ApiMetrics } from '../observability/metrics.js';
import { INVALID, operationLabelsOf, operationTypeOf, UNKNOWN, type OperationLabels } from '../observability/operation-label.js';

function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * Times GraphQL operations into `aos_graphql_request_duration_seconds`: from the start of parsing
 * to the end of execution (a subscription: to its setup; its events are the fan-out's metrics), by
 * operation type and first root field. Documents refused before execution (syntax, limits,
 * validation) count under operation="(invalid)". HTTP and graphql-ws both come through here
 * (graphql-ws runs Yoga's envelop). Reading the body and authentication are not included.
 *
 * Envelop hands every phase of one operation the same context object: it keys the start time.
 */
export function requestMetricsPlugin(metrics: ApiMetrics): Plugin {
  const startedAt = new WeakMap<object, number>();
  const refused = new WeakSet<object>();

  const observeRefused = (context: object, operationType: string): void => {
    if (refused.has(context)) return;
    refused.add(context);
    const start = startedAt.get(context);
    metrics.requestDuration.observe({ operation_type: operationType, operation: INVALID }, start === undefined ? 0 : secondsSince(start));
  };

  const timed = (context: object, labels: OperationLabels): (() => void) => {
    const start = startedAt.get(context) ?? performance.now();
    return () => metrics.requestDuration.observe({ ...labels }, secondsSince(start));
  };

  const labelsOf = (args: { schema: Parameters<typeof operationLabelsOf>[0]; document: DocumentNode; operationName?: string | null }): OperationLabels =>
    operationLabelsOf(args.schema, args.document, args.operationName);

  return {
    // Instrumentation wraps the whole phase, other plugins' hooks included: a document refused by
    // a limit (graphql-armor) or a cached syntax error throws from here.
    instrumentation: {
      parse({ context }, parse) {
        if (!startedAt.has(context)) startedAt.set(context, performance.now());
        try {
          parse();
        } catch (error) {
          observeRefused(context, UNKNOWN);
          throw error;
        }
      },
      validate({ context }, validate) {
        try {
          validate();
        } catch (error) {
          observeRefused(context, UNKNOWN);
          throw error;
        }
      },
    },
    onValidate({ params, context }) {
      return ({ valid }) => {
        if (!valid) observeRefused(context, operationTypeOf(params.documentAST));
      };
    },
    onExecute({ args }) {
      const done = timed(args.contextValue as object, labelsOf(args));
      return { onExecuteDone: done };
    },
    onSubscribe({ args }) {
      const done = timed(args.contextValue as object, labelsOf(args));
      return { onSubscribeResult: done, onSubscribeError: done };
    },
  };
}

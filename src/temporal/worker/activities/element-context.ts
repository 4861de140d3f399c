// What a driver gets for one element inside an activity, built one way for element steps and
// health checks alike.
import { Context } from '@temporalio/activity';
import { clusterTargetOf } from '../../../clusters/cluster-target.js';
import type { AosConfig } from '../../../config.js';
import type { Cluster, Stack } from '../../../db/entities/index.js';
import type { ElementContext, RequiredNode } from '../../../drivers/types.js';
import type { SecretBox } from '../../../security/secret-box.js';

export interface ElementContextDeps {
  secrets: SecretBox;
  /** Tenant clusters are reached only where the platform's endpoint policy allows. */
  config: Pick<AosConfig, 'clusterEndpointPolicy'>;
}

/**
 * The stack comes with its tenant loaded; `cluster` is the element's (clusterOfElement). `quiet`:
 * the driver's progress lines go nowhere (health checks run every interval; their lines would
 * drown the ones of actions).
 */
export function elementContextOf(
  deps: ElementContextDeps,
  stack: Stack,
  element: string,
  cluster: Cluster | null,
  options: { requirements?: Record<string, RequiredNode>; quiet?: boolean } = {},
): ElementContext {
  const activity = Context.current();
  return {
    tenantId: stack.tenant.id,
    stackId: stack.id,
    stackName: stack.name,
    namespace: stack.namespace,
    element,
    cluster: clusterTargetOf(cluster, deps.secrets, deps.config.clusterEndpointPolicy),
    requirements: options.requirements ?? {},
    heartbeat: (details) => activity.heartbeat(details),
    signal: activity.cancellationSignal,
    log: options.quiet ? () => undefined : (message: string) => {
          activity.log.info(message, { stackId: stack.id, element });
        },
  };
}

// The contract between the lifecycle engine (Temporal activities) and the code that deploys one
// element type. Drivers are idempotent and own only what they created: every object they make
// carries the labels of `ownerLabels()` and a deterministic name, so a retried call finds its
// earlier work instead of creating a twin.
import type { ClusterKind } from '../domain/cluster-kinds.js';
import type { TemplateProblemLike } from '../domain/errors.js';
import type { EndpointPolicy } from './endpoint-policy.js';

type ElementHealth = 'HEALTHY' | 'UNKNOWN' | 'ABNORMAL';

export type { ClusterKind };

/** A registered deployment target, with its credentials already decrypted. */
export interface ClusterTarget {
  id: string;
  name: string;
  kind: ClusterKind;
  /** DOCKER: unix:///path/to/docker.sock or tcp://host:port. */
  endpoint: string | null;
  /** DOCKER: the address ports are published on (127.0.0.1 by default). */
  publishAddress: string;
  /** DOCKER, KUBERNETES: the cluster's stop grace for elements that set none (null: the platform's, or Kubernetes' own). */
  stopGracePeriodSeconds?: number | null;
  kubeconfig?: string | null;
  connectionUrl?: string | null;
  /**
   * A tenant's registration: every connection to the cluster is checked against this policy as it
   * is made (DNS rebinding included). Null or absent: registered by the platform, trusted.
   */
  endpointPolicy?: EndpointPolicy | null;
}

/** Properties of a node this element requires (e.g. the ContainerComponent of an application). */
export interface RequiredNode {
  name: string;
  type: string;
  properties: Record<string, unknown>;
}

export interface ElementContext {
  tenantId: string;
  stackId: string;
  stackName: string;
  namespace: string;
  /** The node template's name in the template. */
  element: string;
  cluster: ClusterTarget | null;
  /** Resolved properties of the nodes this element requires, keyed by requirement name. */
  requirements: Record<string, RequiredNode>;
  /** Long operations call this regularly; inside an activity it is Temporal's heartbeat. */
  heartbeat: (details?: unknown) => void;
  /** Aborted when the activity is cancelled. */
  signal: AbortSignal;
  /** Progress lines worth an event; never pass secrets. */
  log: (message: string) => void;
}

/** What the engine stores for a deployed element. */
export interface ElementState {
  physicalId: string | null;
  attributes: Record<string, unknown>;
}

export interface HealthReport {
  health: ElementHealth;
  /** Why, for an alarm or an event (e.g. "container x exited with code 137"). */
  message?: string;
  /** True when every workload of the element is stopped on purpose (feeds PARTIALLY_STOPPED). */
  stopped?: boolean;
}

export interface ElementDriver {
  /** The node type this driver deploys, e.g. CTC.ServiceStage.StatelessApplication. */
  readonly type: string;
  /**
   * Every operation finishes in milliseconds without leaving the worker (no engine, no network):
   * its steps run as Temporal local activities, without a round trip through the task queue.
   */
  readonly quick?: boolean;
  /** Creates (or finds, when a previous attempt got that far) and waits until ready. */
  create(ctx: ElementContext, properties: Record<string, unknown>): Promise<ElementState>;
  /** In-place change; drivers without it get delete + create (REPLACE). */
  update?(
    ctx: ElementContext,
    properties: Record<string, unknown>,
    previous: { properties: Record<string, unknown>; state: ElementState },
  ): Promise<ElementState>;
  /** Removes what create made; succeeds when it is already gone. */
  delete(ctx: ElementContext, state: ElementState | null): Promise<void>;
  start?(ctx: ElementContext, state: ElementState): Promise<ElementState>;
  stop?(ctx: ElementContext, state: ElementState): Promise<ElementState>;
  health?(ctx: ElementContext, state: ElementState): Promise<HealthReport>;
}

/** A failure the engine must not retry (bad image name, name collision with a foreign object). */
export class PermanentDriverError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'PermanentDriverError';
  }
}

export const LABEL_TENANT = 'aos.tenant';
export const LABEL_STACK = 'aos.stack';
export const LABEL_ELEMENT = 'aos.element';
export const LABEL_NAMESPACE = 'aos.namespace';

export function ownerLabels(ctx: Pick<ElementContext, 'tenantId' | 'stackId' | 'element' | 'namespace'>): Record<string, string> {
  return {
    [LABEL_TENANT]: ctx.tenantId,
    [LABEL_STACK]: ctx.stackId,
    [LABEL_ELEMENT]: ctx.element,
    [LABEL_NAMESPACE]: ctx.namespace,
  };
}

/** Deterministic physical name `<namespace>-<stack>-<element>`, safe for Docker and Kubernetes. */
export function physicalName(ctx: Pick<ElementContext, 'namespace' | 'stackName' | 'element'>, suffix?: string): string {
  const raw = [ctx.namespace, ctx.stackName, ctx.element, suffix].filter(Boolean).join('-');
  return raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 200);
}

// --- cluster providers ---------------------------------------------------------------------------

/** What a registration names; each kind reads its own fields and refuses the others'. */
export interface ClusterRegistration {
  endpoint?: string | null;
  publishAddress?: string | null;
  kubeconfig?: string | null;
  connectionUrl?: string | null;
  /** Workload clusters: the stop grace of instances whose element sets no stopGracePeriodSeconds. */
  stopGracePeriodSeconds?: number | null;
}

/** What is sealed in a cluster's credentials: the worker opens the same record (clusterTargetOf). */
export interface ClusterCredentials {
  kubeconfig?: string;
  connectionUrl?: string;
}

/** A registration as it will be stored, or the problems that refuse it (each on its field). */
export interface CheckedRegistration {
  /** Shown to the tenant: never credentials. */
  endpoint: string | null;
  publishAddress: string;
  credentials: ClusterCredentials | null;
  problems: TemplateProblemLike[];
}

export interface ClusterHealth {
  healthy: boolean;
  version: string | null;
  /** Generic reasons only ("unreachable", "timed out …", "authentication failed", …): never the peer's text. */
  message: string | null;
}

/**
 * Everything that knows one kind of cluster: the grammar of its registration, a bounded health
 * check, what AOS owns on it and the element types it deploys. Services and activities reach a
 * kind only through its provider; nothing outside `src/drivers/<kind>/` imports the kind's client.
 */
export interface ClusterProvider {
  readonly kind: ClusterKind;
  /** The registration fields this kind reads; naming another kind's field is a problem. */
  readonly registrationFields: readonly (keyof ClusterRegistration)[];
  /**
   * Checks a registration. `policy` is the platform's endpoint policy for a tenant's registration,
   * null for the platform administrator's (trusted). Resolves names within the policy's bounds.
   */
  validateRegistration(input: ClusterRegistration, policy: EndpointPolicy | null): Promise<CheckedRegistration>;
  /** Reachability within `timeoutMs` and a few KiB of answer, whatever the target does. Never throws. */
  health(target: ClusterTarget, timeoutMs: number): Promise<ClusterHealth>;
  /**
   * Objects on the cluster carrying the stack's owner label, as `kind/name`: after a forced delete,
   * the leftovers to report. Absent: the kind cannot list them (the recorded ids are reported).
   */
  listOwnedObjects?(target: ClusterTarget, stackId: string): Promise<string[]>;
  /** The element types deployed on clusters of this kind. */
  readonly drivers: readonly ElementDriver[];
}

/** The address a cluster's published ports are reached on when its registration names none. */
export const DEFAULT_PUBLISH_ADDRESS = '127.0.0.1';

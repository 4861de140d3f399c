// One StatelessApplication element as the engine sees it: its client, the names of its objects,
// the labels that say whose an object is, and its containers. The other parts of the driver
// (image-pull, network-and-volumes, port-plan, rollout, readiness, application-state) work on
// this view.
import type Docker from 'dockerode';
import {
  LABEL_ELEMENT,
  LABEL_STACK,
  LABEL_TENANT,
  PermanentDriverError,
  ownerLabels,
  type ClusterTarget,
  type ElementContext,
} from '../types.js';
import { dockerClient, statusOf } from './client.js';
import { dockerObjectName } from './names.js';
import type { DockerSettings } from './settings.js';

export const LABEL_INSTANCE = 'aos.instance';
export const LABEL_SPEC_HASH = 'aos.spec-hash';
export const LABEL_HEALTH_CHECK = 'aos.health-check';
/** `aos.host-port.<port>-<protocol>` = the host port this instance publishes that service port on. */
export const LABEL_HOST_PORT_PREFIX = 'aos.host-port.';
export const LABEL_OBJECT = 'aos.object';
/** The container's stop grace in seconds (the element's stopGracePeriodSeconds when it was made). */
export const LABEL_STOP_GRACE = 'aos.stop-grace-seconds';
/** A stop request may take the grace, then the kill and the exit: the engine's answer comes after both. */
const STOP_ANSWER_SLACK_MS = 30_000;
/** The engine's own request bound (client.ts) already covers a stop this short. */
const SHORT_STOP_SECONDS = 25;

/** A replacement container's name is its instance's name with this suffix until it takes over. */
export const NEXT_SUFFIX = '-next';

export interface InstanceContainer {
  id: string;
  name: string;
  index: number;
  labels: Record<string, string>;
  state: string;
}

/** Runs `fn`, treating "not found" / "already in that state" answers as done. */
export async function tolerate(fn: () => Promise<unknown>, statuses: number[]): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!statuses.includes(statusOf(error) ?? -1)) throw error;
  }
}

/** Whose object it is, from its labels. */
export function ownedByElement(labels: Record<string, string> | undefined | null, ctx: ElementContext): boolean {
  const own = ownerLabels(ctx);
  return !!labels && labels[LABEL_TENANT] === own[LABEL_TENANT] && labels[LABEL_STACK] === own[LABEL_STACK]
    && labels[LABEL_ELEMENT] === own[LABEL_ELEMENT];
}

export function ownedByStack(labels: Record<string, string> | undefined | null, ctx: ElementContext): boolean {
  return !!labels && labels[LABEL_TENANT] === ctx.tenantId && labels[LABEL_STACK] === ctx.stackId;
}

/**
 * The name this element needs is taken. Whose the object is stays unsaid: it may be another
 * tenant's, and its labels (stack and tenant ids) are not this tenant's to see.
 */
export function collision(kind: string, name: string): PermanentDriverError {
  return new PermanentDriverError(
    `a ${kind} named ${name} already exists on the engine and is not this stack's; AOS does not touch objects it does not own — remove or rename that ${kind}`,
    'NAME_COLLISION',
  );
}

/** The engine filter that lists this element's objects (containers, volumes) by their labels. */
export function elementLabelFilter(ctx: ElementContext): { label: string[] } {
  const own = ownerLabels(ctx);
  return { label: [LABEL_TENANT, LABEL_STACK, LABEL_ELEMENT].map((key) => `${key}=${own[key]}`) };
}

function requireCluster(ctx: ElementContext): ClusterTarget {
  if (!ctx.cluster) {
    throw new PermanentDriverError(`${ctx.element}: the stack has no cluster to deploy on`, 'NO_CLUSTER');
  }
  return ctx.cluster;
}

export class ApplicationOnDocker {
  readonly docker: Docker;
  readonly cluster: ClusterTarget;
  readonly baseName: string;
  readonly networkName: string;
  /** Volume names settled by resolveVolumeNames: a volume made under its legacy name keeps it. */
  readonly volumeNames = new Map<string, string>();
  /** The stack network's id once ensureNetwork ran: containers join it by id, never by name. */
  networkId: string | null = null;

  constructor(
    readonly ctx: ElementContext,
    readonly settings: DockerSettings,
  ) {
    this.cluster = requireCluster(ctx);
    this.docker = dockerClient(this.cluster);
    this.baseName = dockerObjectName(ctx);
    this.networkName = dockerObjectName({ tenantId: ctx.tenantId, namespace: ctx.namespace, stackName: ctx.stackName, element: 'net' });
  }

  get publishAddress(): string {
    return this.cluster.publishAddress || '127.0.0.1';
  }

  containerName(index: number): string {
    return dockerObjectName(this.ctx, String(index));
  }

  volumeName(volume: string): string {
    return this.volumeNames.get(volume) ?? dockerObjectName(this.ctx, `vol-${volume}`);
  }

  /** Our containers for this element, including `-next` ones of an interrupted replacement. */
  async listContainers(): Promise<InstanceContainer[]> {
    const list = await this.docker.listContainers({ all: true, filters: elementLabelFilter(this.ctx) });
    return list
      .map((info) => ({
        id: info.Id,
        name: (info.Names[0] ?? '').replace(/^\//, ''),
        index: Number(info.Labels[LABEL_INSTANCE]),
        labels: info.Labels,
        state: info.State,
      }))
      .filter((c) => Number.isInteger(c.index) && c.index >= 0)
      .sort((a, b) => a.index - b.index || a.name.localeCompare(b.name));
  }

  /** The labels of the container with exactly this name, or null when there is none. */
  async labelsOfContainerNamed(name: string): Promise<Record<string, string> | null> {
    try {
      const info = await this.docker.getContainer(name).inspect();
      // Inspect also resolves an id prefix: only an exact name counts.
      if (info.Name !== `/${name}`) return null;
      return info.Config.Labels ?? {};
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async assertNameFree(name: string): Promise<void> {
    const labels = await this.labelsOfContainerNamed(name);
    if (labels !== null && !ownedByElement(labels, this.ctx)) throw collision('container', name);
  }

  /**
   * Seconds a container gets between SIGTERM and SIGKILL: its own label (set from the element's
   * stopGracePeriodSeconds when it was made), else the platform default (AOS_DOCKER_STOP_TIMEOUT_SECONDS).
   */
  stopGraceOf(labels: Record<string, string> | undefined): number {
    const own = Number(labels?.[LABEL_STOP_GRACE]);
    return labels?.[LABEL_STOP_GRACE] !== undefined && Number.isInteger(own) && own >= 0 ? own : this.settings.stopGraceSeconds;
  }

  /**
   * Stops a container, giving it `graceSeconds`. The engine answers only once the container
   * exited, so a long grace outlasts the client's usual inactivity bound: such a stop goes through
   * a client bounded by the grace plus slack (else the request is dropped and the step fails while
   * the container is still stopping).
   */
  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const docker = graceSeconds <= SHORT_STOP_SECONDS ? this.docker : dockerClient(this.cluster, { timeoutMs: graceSeconds * 1000 + STOP_ANSWER_SLACK_MS });
    await tolerate(() => docker.getContainer(id).stop({ t: graceSeconds }), [304, 404]);
  }

  async removeContainer(c: { id: string; name: string; labels?: Record<string, string> }): Promise<void> {
    await this.stopContainer(c.id, this.stopGraceOf(c.labels));
    await tolerate(() => this.docker.getContainer(c.id).remove({ force: true, v: true }), [404]);
    this.ctx.log(`removed container ${c.name}`);
  }
}

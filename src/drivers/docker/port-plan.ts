// Which host port each instance publishes each NodePort service port on. One engine has one host
// port per address and a container publishes only its own ports, so every instance gets its own
// host ports (instance 0 holds the NodePort). Ports are recorded in container labels and reused by
// replacements, restarts and scaling, so they are stable for the element's life.
import type { ElementState } from '../types.js';
import { LABEL_HOST_PORT_PREFIX, type ApplicationOnDocker } from './application-on-docker.js';
import { engineMessage } from './client.js';
import { allocateHostPort, isHostPortFree } from './ports.js';
import type { ApplicationSpec, ServicePort } from '../workload/spec.js';

export interface DesiredPorts {
  /** portKey → host port, for each NodePort service port. */
  hostPorts: Map<string, number>;
  /** Keys whose port came from the template (a conflict on them is the user's to fix). */
  fixed: Set<string>;
}

export function portKey(port: Pick<ServicePort, 'port' | 'protocol'>): string {
  return `${port.port}-${port.protocol}`;
}

export function isPortConflict(error: unknown): boolean {
  return /port is already allocated|address already in use|bind: /i.test(engineMessage(error));
}

/** Host ports that containers on this engine hold or have reserved (labels of stopped ones). */
export async function reservedHostPorts(app: ApplicationOnDocker): Promise<Set<number>> {
  const reserved = new Set<number>();
  for (const info of await app.docker.listContainers({ all: true })) {
    for (const port of info.Ports ?? []) if (port.PublicPort) reserved.add(port.PublicPort);
    for (const [key, value] of Object.entries(info.Labels ?? {})) {
      if (key.startsWith(LABEL_HOST_PORT_PREFIX)) reserved.add(Number(value));
    }
  }
  return reserved;
}

/**
 * The host ports instance `index` publishes: the template's nodePort for instance 0, else the
 * port the instance already has (labels), else instance 0's port from the previous state,
 * else a free one from the range.
 */
export async function planPorts(
  app: ApplicationOnDocker,
  spec: ApplicationSpec,
  index: number,
  existingLabels: Record<string, string> | undefined,
  reserved: Set<number>,
  previousNodePorts: Map<string, number>,
  avoid: ReadonlySet<number> = new Set(),
): Promise<DesiredPorts> {
  const hostPorts = new Map<string, number>();
  const fixed = new Set<string>();
  if (spec.serviceType !== 'NodePort') return { hostPorts, fixed };
  for (const sp of spec.servicePorts) {
    const key = portKey(sp);
    if (index === 0 && sp.nodePort !== undefined) {
      hostPorts.set(key, sp.nodePort);
      fixed.add(key);
      continue;
    }
    const recorded = Number(existingLabels?.[LABEL_HOST_PORT_PREFIX + key]);
    if (Number.isInteger(recorded) && recorded > 0 && !avoid.has(recorded)) {
      hostPorts.set(key, recorded);
      continue;
    }
    const previous = index === 0 ? previousNodePorts.get(key) : undefined;
    if (previous !== undefined && !avoid.has(previous) && !reserved.has(previous)
      && (await isHostPortFree(app.publishAddress, previous, sp.protocol))) {
      hostPorts.set(key, previous);
      reserved.add(previous);
      continue;
    }
    const port = await allocateHostPort({
      range: app.settings.nodePortRange,
      reserved: new Set([...reserved, ...avoid]),
      seed: `${app.containerName(index)}/${key}`,
      address: app.publishAddress,
      protocol: sp.protocol,
    });
    hostPorts.set(key, port);
    reserved.add(port);
  }
  return { hostPorts, fixed };
}

export function describePorts(ports: DesiredPorts): string {
  return ports.hostPorts.size > 0 ? ` (host ports ${[...ports.hostPorts.values()].join(', ')})` : '';
}

/** Whether a container's recorded host ports are exactly the planned ones. */
export function sameHostPorts(labels: Record<string, string>, ports: DesiredPorts): boolean {
  const recorded = Object.entries(labels).filter(([key]) => key.startsWith(LABEL_HOST_PORT_PREFIX));
  if (recorded.length !== ports.hostPorts.size) return false;
  return recorded.every(([key, value]) => ports.hostPorts.get(key.slice(LABEL_HOST_PORT_PREFIX.length)) === Number(value));
}

/** Instance 0's host ports as the previous state recorded them (portKey → nodePort). */
export function nodePortsOf(state: ElementState | undefined): Map<string, number> {
  const result = new Map<string, number>();
  const service = state?.attributes.Service as { ports?: { port?: unknown; protocol?: unknown; nodePort?: unknown }[] } | undefined;
  for (const p of service?.ports ?? []) {
    if (typeof p.port === 'number' && typeof p.nodePort === 'number' && typeof p.protocol === 'string') {
      result.set(`${p.port}-${p.protocol.toLowerCase()}`, p.nodePort);
    }
  }
  return result;
}

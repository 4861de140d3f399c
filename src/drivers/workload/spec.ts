// The typed desired state of a StatelessApplication on any container cluster (Docker,
// Kubernetes), read from the (already resolved) properties of the application and of the
// ContainerComponent it requires. The template layer
// validates against the type's JSON Schema first; these checks are the driver's own guard, so a
// malformed value becomes a clear permanent error instead of an odd engine failure.
import { createHash } from 'node:crypto';
import { PermanentDriverError, type ElementContext } from '../types.js';

/** An inclusive range of ports (the NodePort range a fixed nodePort must lie in). */
export interface PortRange {
  min: number;
  max: number;
}

export const STATELESS_APPLICATION_TYPE = 'CTC.ServiceStage.StatelessApplication';
export const CONTAINER_COMPONENT_TYPE = 'CTC.ServiceStage.ContainerComponent';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';
type Protocol = 'tcp' | 'udp';

interface EnvVar {
  name: string;
  value: string;
}

export interface ServicePort {
  protocol: Protocol;
  /** The service's port, as the template names it (what `Service.ports[i].port` shows). */
  port: number;
  /** The container port traffic goes to (defaults to `port`). */
  targetPort: number;
  /** A fixed host port; absent → allocated from the NodePort range. */
  nodePort?: number;
}

export interface HealthCheck {
  type: 'tcp' | 'http';
  /** A container port. */
  port: number;
  path: string;
}

export interface ApplicationSpec {
  image: string;
  /** Kubernetes `command` semantics: replaces the image's entrypoint and default arguments. */
  command: string[];
  env: EnvVar[];
  /** Passed as environment variables like `env`; never logged, never in attributes. */
  secrets: EnvVar[];
  volumes: { name: string; mountPath: string }[];
  containerPorts: { containerPort: number; protocol: Protocol }[];
  serviceType: 'NodePort' | 'ClusterIP';
  servicePorts: ServicePort[];
  instances: number;
  restartPolicy: RestartPolicy;
  healthCheck?: HealthCheck;
  /** Seconds an instance gets between SIGTERM and SIGKILL; unset: the cluster's default. */
  stopGracePeriodSeconds?: number;
}

const MAX_INSTANCES = 100;
/** Bound of stopGracePeriodSeconds: a stop (and so a delete) never waits longer than this per instance. */
export const MAX_STOP_GRACE_SECONDS = 300;

function invalid(message: string): never {
  throw new PermanentDriverError(`invalid container spec: ${message}`, 'INVALID_PROPERTIES');
}

/** A template value as text: scalars as themselves, anything else as JSON (never "[object Object]"). */
export function textOfValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) invalid(`${path} must be a list`);
  return value;
}

function portNumber(value: unknown, path: string): number {
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    invalid(`${path} must be a port number (1-65535), got ${JSON.stringify(value)}`);
  }
  return port;
}

function protocolOf(value: unknown, path: string): Protocol {
  if (value === undefined || value === null || value === '') return 'tcp';
  const protocol = textOfValue(value).toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') invalid(`${path} must be TCP or UDP, got ${JSON.stringify(value)}`);
  return protocol;
}

function envList(value: unknown, path: string, showValues: boolean): EnvVar[] {
  return list(value, path).map((entry, i) => {
    if (!isRecord(entry) || typeof entry.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(entry.name)) {
      invalid(`${path}[${i}] needs a name that is a valid environment variable name`);
    }
    const raw = entry.value ?? '';
    if (typeof raw === 'object') {
      // Never echo a secret's value back in the error.
      invalid(`${path}[${i}] (${entry.name}) must be a string, number or boolean${showValues ? `, got ${JSON.stringify(raw)}` : ''}`);
    }
    return { name: entry.name, value: textOfValue(raw) };
  });
}

/** The ContainerComponent this application requires: the `package` requirement, or the only one of that type. */
export function containerComponentProperties(ctx: Pick<ElementContext, 'requirements' | 'element'>): Record<string, unknown> {
  const byName = ctx.requirements.package;
  const node = byName ?? Object.values(ctx.requirements).find((r) => r.type === CONTAINER_COMPONENT_TYPE);
  if (!node) {
    invalid(`${ctx.element} requires no ${CONTAINER_COMPONENT_TYPE} (expected a requirement named "package")`);
  }
  const pkg = node.properties.package;
  if (!isRecord(pkg)) invalid(`${node.name}.properties.package must be a map with image, env, ports, serviceSpec…`);
  return pkg;
}

/**
 * `nodePortRange` is AOS_NODEPORT_RANGE: a fixed nodePort outside it is refused (the range is what
 * the platform set aside for published ports; outside it a tenant could take any host port).
 */
export function parseApplicationSpec(
  appProperties: Record<string, unknown>,
  pkg: Record<string, unknown>,
  range: PortRange,
  /** The cluster's stop grace, for an element that sets none (a registration default: fixed for the cluster's life). */
  clusterStopGrace?: number | null,
): ApplicationSpec {
  if (appProperties.type !== undefined && appProperties.type !== 'container') {
    invalid(`type must be "container", got ${JSON.stringify(appProperties.type)}`);
  }
  const instances = appProperties.instances ?? 1;
  if (typeof instances !== 'number' || !Number.isInteger(instances) || instances < 0 || instances > MAX_INSTANCES) {
    invalid(`instances must be an integer from 0 to ${MAX_INSTANCES}, got ${JSON.stringify(instances)}`);
  }
  const restartPolicy = appProperties.restartPolicy ?? 'Always';
  if (restartPolicy !== 'Always' && restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    invalid(`restartPolicy must be Always, OnFailure or Never, got ${JSON.stringify(restartPolicy)}`);
  }
  const grace = appProperties.stopGracePeriodSeconds;
  if (grace !== undefined && grace !== null && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > MAX_STOP_GRACE_SECONDS)) {
    invalid(`stopGracePeriodSeconds must be an integer from 0 to ${MAX_STOP_GRACE_SECONDS}, got ${JSON.stringify(grace)}`);
  }

  if (typeof pkg.image !== 'string' || pkg.image.trim() === '' || /\s/.test(pkg.image)) {
    invalid(`image must be a non-empty image reference, got ${JSON.stringify(pkg.image)}`);
  }
  const command = list(pkg.command, 'command').map((part, i) => {
    if (typeof part !== 'string' && typeof part !== 'number') invalid(`command[${i}] must be a string`);
    return String(part);
  });

  const volumes = list(pkg.volumes, 'volumes').map((entry, i) => {
    if (!isRecord(entry) || typeof entry.name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(entry.name)) {
      invalid(`volumes[${i}].name must be letters, digits, '_', '.', '-'`);
    }
    if (typeof entry.mountPath !== 'string' || !entry.mountPath.startsWith('/')) {
      invalid(`volumes[${i}].mountPath must be an absolute path`);
    }
    return { name: entry.name, mountPath: entry.mountPath };
  });

  const containerPorts = list(pkg.ports, 'ports').map((entry, i) => {
    if (!isRecord(entry)) invalid(`ports[${i}] must be a map with containerPort`);
    return { containerPort: portNumber(entry.containerPort, `ports[${i}].containerPort`), protocol: protocolOf(entry.protocol, `ports[${i}].protocol`) };
  });

  const serviceSpec = pkg.serviceSpec ?? {};
  if (!isRecord(serviceSpec)) invalid('serviceSpec must be a map');
  const serviceType = serviceSpec.type ?? 'ClusterIP';
  if (serviceType !== 'NodePort' && serviceType !== 'ClusterIP') {
    invalid(`serviceSpec.type must be NodePort or ClusterIP, got ${JSON.stringify(serviceType)}`);
  }
  const servicePorts = list(serviceSpec.ports, 'serviceSpec.ports').map((entry, i): ServicePort => {
    if (!isRecord(entry)) invalid(`serviceSpec.ports[${i}] must be a map with port`);
    const port = portNumber(entry.port, `serviceSpec.ports[${i}].port`);
    const targetPort = entry.targetPort === undefined || entry.targetPort === null ? port : portNumber(entry.targetPort, `serviceSpec.ports[${i}].targetPort`);
    const nodePort = entry.nodePort === undefined || entry.nodePort === null || entry.nodePort === '' ? undefined : portNumber(entry.nodePort, `serviceSpec.ports[${i}].nodePort`);
    if (nodePort !== undefined && (nodePort < range.min || nodePort > range.max)) {
      throw new PermanentDriverError(
        `invalid container spec: serviceSpec.ports[${i}].nodePort ${nodePort} is outside the NodePort range ${range.min}-${range.max} (AOS_NODEPORT_RANGE); pick a port in it or leave nodePort out`,
        'NODEPORT_OUT_OF_RANGE',
      );
    }
    return { protocol: protocolOf(entry.protocol, `serviceSpec.ports[${i}].protocol`), port, targetPort, nodePort };
  });
  const seen = new Set<string>();
  for (const p of servicePorts) {
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) invalid(`serviceSpec.ports lists ${key} twice`);
    seen.add(key);
  }

  let healthCheck: HealthCheck | undefined;
  if (appProperties.healthCheck !== undefined && appProperties.healthCheck !== null) {
    const hc = appProperties.healthCheck;
    if (!isRecord(hc) || (hc.type !== 'tcp' && hc.type !== 'http')) invalid('healthCheck.type must be tcp or http');
    const path = hc.path === undefined ? '/' : textOfValue(hc.path);
    if (!path.startsWith('/')) invalid('healthCheck.path must start with /');
    healthCheck = { type: hc.type, port: portNumber(hc.port, 'healthCheck.port'), path };
  }

  return {
    image: pkg.image.trim(),
    command,
    env: envList(pkg.env, 'env', true),
    secrets: envList(pkg.secrets, 'secrets', false),
    volumes,
    containerPorts,
    serviceType,
    servicePorts,
    instances,
    restartPolicy,
    healthCheck,
    ...(typeof grace === 'number' ? { stopGracePeriodSeconds: grace } : typeof clusterStopGrace === 'number' ? { stopGracePeriodSeconds: clusterStopGrace } : {}),
  };
}

/**
 * A fingerprint of everything that needs a new container when it changes (image, command, env,
 * secrets, volumes, ports, health port, stop grace when set). Instances and restart policy are changed in place, so
 * they are left out. Kept on each container as a label; it is a one-way hash, and the secret
 * values it covers are in the container's own environment anyway.
 */
export function containerSpecHash(spec: ApplicationSpec): string {
  const material = JSON.stringify({
    image: spec.image,
    command: spec.command,
    env: spec.env,
    secrets: spec.secrets,
    volumes: spec.volumes,
    containerPorts: spec.containerPorts,
    serviceType: spec.serviceType,
    servicePorts: spec.servicePorts.map(({ protocol, port, targetPort }) => ({ protocol, port, targetPort })),
    healthPort: spec.healthCheck?.port,
    // Docker cannot change a container's stop timeout in place. Only when set: containers made
    // before the property existed keep their hash (an update does not replace them all).
    ...(spec.stopGracePeriodSeconds !== undefined ? { stopGracePeriodSeconds: spec.stopGracePeriodSeconds } : {}),
  });
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}

export const DOCKER_RESTART_POLICY: Record<RestartPolicy, 'always' | 'on-failure' | 'no'> = {
  Always: 'always',
  OnFailure: 'on-failure',
  Never: 'no',
};

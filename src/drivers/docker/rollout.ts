// Making and replacing instance containers. A replacement goes one instance at a time: the new
// container is created first (under <name>-next, not started) so a bad spec fails before anything
// is touched; then the old one is stopped (it holds the host port), the new one started and
// waited for; on success the old one is removed and the new one renamed; on failure the new one is
// removed and the old one started again. Each instance is briefly unavailable while its host port
// changes hands; the others keep serving.
import type Docker from 'dockerode';
import { PermanentDriverError, ownerLabels } from '../types.js';
import {
  LABEL_HEALTH_CHECK,
  LABEL_HOST_PORT_PREFIX,
  LABEL_INSTANCE,
  LABEL_OBJECT,
  LABEL_SPEC_HASH,
  LABEL_STOP_GRACE,
  NEXT_SUFFIX,
  collision,
  ownedByElement,
  tolerate,
  type ApplicationOnDocker,
  type InstanceContainer,
} from './application-on-docker.js';
import { engineMessage } from './client.js';
import { describePorts, isPortConflict, planPorts, portKey, type DesiredPorts } from './port-plan.js';
import { waitReady } from './readiness.js';
import { DOCKER_RESTART_POLICY, containerSpecHash, type ApplicationSpec } from '../workload/spec.js';

/** The /etc/hosts entry naming the engine's host inside every container. */
const HOST_GATEWAY_ALIAS = 'host.docker.internal:host-gateway';

/** Attempts to find a free host port when the engine reports the chosen one taken (a race). */
const PORT_CONFLICT_ATTEMPTS = 5;

function containerOptions(app: ApplicationOnDocker, spec: ApplicationSpec, name: string, index: number, ports: DesiredPorts): Docker.ContainerCreateOptions {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.containerPorts) exposed[`${p.containerPort}/${p.protocol}`] = {};
  const portLabels: Record<string, string> = {};
  for (const sp of spec.servicePorts) {
    const target = `${sp.targetPort}/${sp.protocol}`;
    exposed[target] = {};
    const hostPort = ports.hostPorts.get(portKey(sp));
    if (hostPort === undefined) continue;
    (bindings[target] ??= []).push({ HostIp: app.publishAddress, HostPort: String(hostPort) });
    portLabels[LABEL_HOST_PORT_PREFIX + portKey(sp)] = String(hostPort);
  }
  const health = spec.healthCheck;
  if (health) {
    const target = `${health.port}/tcp`;
    exposed[target] = {};
    // The probe reaches the container only through a published port: publish the health port
    // on an engine-chosen host port when the service does not publish it already.
    bindings[target] ??= [{ HostIp: app.publishAddress, HostPort: '' }];
  }
  return {
    name,
    Image: spec.image,
    // Kubernetes `command` semantics: with an entrypoint given, Docker drops the image's CMD.
    Entrypoint: spec.command.length > 0 ? spec.command : undefined,
    Env: [...spec.env, ...spec.secrets].map((v) => `${v.name}=${v.value}`),
    Labels: {
      ...ownerLabels(app.ctx),
      [LABEL_OBJECT]: 'container',
      [LABEL_INSTANCE]: String(index),
      [LABEL_SPEC_HASH]: containerSpecHash(spec),
      ...(health ? { [LABEL_HEALTH_CHECK]: JSON.stringify(health) } : {}),
      ...(spec.stopGracePeriodSeconds !== undefined ? { [LABEL_STOP_GRACE]: String(spec.stopGracePeriodSeconds) } : {}),
      ...portLabels,
    },
    // A `docker stop` by hand gives the same grace as AOS does.
    StopTimeout: spec.stopGracePeriodSeconds ?? app.settings.stopGraceSeconds,
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: DOCKER_RESTART_POLICY[spec.restartPolicy], MaximumRetryCount: 0 },
      Mounts: spec.volumes.map((v) => ({ Type: 'volume' as const, Source: app.volumeName(v.name), Target: v.mountPath })),
      NetworkMode: app.networkId ?? app.networkName,
      // What Docker Desktop gives every container: the engine's host by name, so a workload can
      // reach a service on that machine (a database registered with publishAddress
      // host.docker.internal:<port>). "host-gateway" is the default bridge's gateway address.
      ExtraHosts: [HOST_GATEWAY_ALIAS],
    },
  };
}

/** Creates and starts instance `index`, finding another host port when the engine reports a race. */
export async function createInstance(
  app: ApplicationOnDocker,
  spec: ApplicationSpec,
  index: number,
  reserved: Set<number>,
  previousNodePorts: Map<string, number>,
): Promise<string> {
  const name = app.containerName(index);
  const avoid = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    const ports = await planPorts(app, spec, index, undefined, reserved, previousNodePorts, avoid);
    const container = await app.docker.createContainer(containerOptions(app, spec, name, index, ports));
    try {
      await tolerate(() => container.start(), [304]);
      app.ctx.log(`started container ${name}${describePorts(ports)}`);
      return container.id;
    } catch (error) {
      await tolerate(() => container.remove({ force: true, v: true }), [404]);
      if (!isPortConflict(error)) throw error;
      const fixedTaken = [...ports.fixed].map((k) => ports.hostPorts.get(k));
      if (fixedTaken.length > 0 && fixedTaken.some((p) => p !== undefined && engineMessage(error).includes(`:${p}`))) {
        throw new PermanentDriverError(`nodePort ${fixedTaken.join(', ')} on ${app.publishAddress} is already in use: ${engineMessage(error)}`, 'NODEPORT_IN_USE');
      }
      if (attempt >= PORT_CONFLICT_ATTEMPTS) throw error;
      for (const [key, port] of ports.hostPorts) if (!ports.fixed.has(key)) avoid.add(port);
    }
  }
}

/** Replaces `old` by a container built from `spec`, keeping its host ports (see header). */
export async function replaceInstance(app: ApplicationOnDocker, spec: ApplicationSpec, old: InstanceContainer, ports: DesiredPorts): Promise<string> {
  const nextName = `${old.name}${NEXT_SUFFIX}`;
  const leftover = await app.labelsOfContainerNamed(nextName);
  if (leftover !== null) {
    if (!ownedByElement(leftover, app.ctx)) throw collision('container', nextName);
    await tolerate(() => app.docker.getContainer(nextName).remove({ force: true, v: true }), [404]);
  }
  const next = await app.docker.createContainer(containerOptions(app, spec, nextName, old.index, ports));
  const oldContainer = app.docker.getContainer(old.id);
  await app.stopContainer(old.id, app.stopGraceOf(old.labels));
  try {
    await next.start();
    await waitReady(app, [{ id: next.id, name: nextName }], spec.restartPolicy);
  } catch (error) {
    await tolerate(() => next.remove({ force: true, v: true }), [404]);
    await tolerate(() => oldContainer.start(), [304, 404]).catch(() => undefined);
    throw error;
  }
  await tolerate(() => oldContainer.remove({ force: true, v: true }), [404]);
  await next.rename({ name: old.name });
  app.ctx.log(`replaced container ${old.name}${describePorts(ports)}`);
  return next.id;
}

/**
 * Finishes what an interrupted replacement left: a `-next` beside its original is discarded
 * (the original is still the truth); a lone `-next` (the original was already removed) takes
 * the original's name.
 */
export async function recoverInterruptedReplacements(app: ApplicationOnDocker, containers: InstanceContainer[]): Promise<boolean> {
  let changed = false;
  for (const c of containers.filter((x) => x.name.endsWith(NEXT_SUFFIX))) {
    const original = c.name.slice(0, -NEXT_SUFFIX.length);
    if (containers.some((x) => x.name === original)) {
      await tolerate(() => app.docker.getContainer(c.id).remove({ force: true, v: true }), [404]);
    } else {
      await app.docker.getContainer(c.id).rename({ name: original });
    }
    changed = true;
  }
  return changed;
}

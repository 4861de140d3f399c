// CTC.ServiceStage.StatelessApplication on a Docker engine: N containers built from the
// ContainerComponent the application requires.
//
// Objects and names (all deterministic, all carrying ownerLabels(); <t> is the tenant's tag, a
// short hash of its id, so tenants sharing an engine never want the same name — names.ts):
//   containers  <t>-<namespace>-<stack>-<element>-<i>      i = 0..instances-1 (label aos.instance=i)
//   volumes     <t>-<namespace>-<stack>-<element>-vol-<v>  one per declared volume, shared by the
//               instances and kept across replacements (removed on delete)
//   network     <t>-<namespace>-<stack>-net                one user-defined bridge per stack, so the
//               stack's containers reach each other by name and are apart from other stacks;
//               removed by the delete that leaves it without containers
// Objects are found by their labels, not their names (except volumes, see volumeNameOf), so stacks
// deployed before names carried the tag keep working: stop, start, health, update and delete.
//
// NodePort with N instances: one engine has one host port per address, and a container can only
// publish ports of its own. Without a proxy image of our own (clusters have no registry we can
// rely on) and without a proxy in the worker process (it restarts), there is no honest way to put
// N containers behind one host port. So each instance publishes every service port on its own
// host port: instance 0 holds the NodePort (the template's nodePort or one allocated from
// AOS_NODEPORT_RANGE), instances 1..N-1 get allocated ports, and `endpoints` lists them all
// (`Service.ports[i].nodePort` is instance 0's). Ports are recorded in container labels and
// reused by replacements, restarts and scaling, so they are stable for the element's life.
//
// Replacement (image, command, env, secrets, volumes, ports, health check changed) goes one
// instance at a time. The new container is created first (under <name>-next, not started) so a
// bad spec fails before anything is touched; then the old one is stopped (it holds the host
// port), the new one started and waited for; on success the old one is removed and the new one
// renamed; on failure the new one is removed and the old one started again. Each instance is
// briefly unavailable while its host port changes hands; the others keep serving.
//
// Not applied on one engine: `exclusive` (Kubernetes anti-affinity; every instance shares the
// single host here).
import type Docker from 'dockerode';
import {
  LABEL_ELEMENT,
  LABEL_NAMESPACE,
  LABEL_STACK,
  LABEL_TENANT,
  PermanentDriverError,
  ownerLabels,
  type ClusterTarget,
  type ElementContext,
  type ElementDriver,
  type ElementState,
  type HealthReport,
} from '../types.js';
import { dockerClient, engineMessage, isEngineUnreachable, statusOf } from './client.js';
import { dockerObjectName, legacyObjectName } from './names.js';
import { allocateHostPort, isHostPortFree, nodePortRange } from './ports.js';
import { dialAddress, probeHttp, probeTcp, type ProbeResult } from './probe.js';
import {
  DOCKER_RESTART_POLICY,
  STATELESS_APPLICATION_TYPE,
  containerComponentProperties,
  containerSpecHash,
  parseApplicationSpec,
  type ApplicationSpec,
  type HealthCheck,
  type ServicePort,
} from './spec.js';

export const LABEL_INSTANCE = 'aos.instance';
export const LABEL_SPEC_HASH = 'aos.spec-hash';
export const LABEL_HEALTH_CHECK = 'aos.health-check';
/** `aos.host-port.<port>-<protocol>` = the host port this instance publishes that service port on. */
export const LABEL_HOST_PORT_PREFIX = 'aos.host-port.';
export const LABEL_OBJECT = 'aos.object';

const NEXT_SUFFIX = '-next';
const POLL_INTERVAL_MS = 300;
/** A container restarted this often while we wait for it is crash-looping: stop waiting. */
const CRASH_LOOP_RESTARTS = 3;
/** Attempts to find a free host port when the engine reports the chosen one taken (a race). */
const PORT_CONFLICT_ATTEMPTS = 5;

function envMs(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
const readyTimeoutMs = (): number => envMs('AOS_DOCKER_READY_TIMEOUT_MS', 120_000);
/** Seconds a container gets to exit after SIGTERM before Docker kills it (Docker's own default). */
const stopGraceSeconds = (): number => Math.round(envMs('AOS_DOCKER_STOP_TIMEOUT_SECONDS', 10));
const pullTimeoutMs = (): number => envMs('AOS_DOCKER_PULL_TIMEOUT_MS', 300_000);

// ---------------------------------------------------------------------------------------------
// Small helpers

function requireCluster(ctx: ElementContext): ClusterTarget {
  if (!ctx.cluster) {
    throw new PermanentDriverError(`${ctx.element}: the stack has no cluster to deploy on`, 'NO_CLUSTER');
  }
  return ctx.cluster;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(): Error {
  const error = new Error('cancelled');
  error.name = 'AbortError';
  return error;
}

/** Runs `fn`, treating "not found" / "already in that state" answers as done. */
async function tolerate(fn: () => Promise<unknown>, statuses: number[]): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!statuses.includes(statusOf(error) ?? -1)) throw error;
  }
}

function portKey(port: Pick<ServicePort, 'port' | 'protocol'>): string {
  return `${port.port}-${port.protocol}`;
}

function protocolLabel(protocol: 'tcp' | 'udp'): 'TCP' | 'UDP' {
  return protocol === 'tcp' ? 'TCP' : 'UDP';
}

function isPortConflict(error: unknown): boolean {
  return /port is already allocated|address already in use|bind: /i.test(engineMessage(error));
}

/** Whose object it is, from its labels. */
function ownedByElement(labels: Record<string, string> | undefined | null, ctx: ElementContext): boolean {
  const own = ownerLabels(ctx);
  return !!labels && labels[LABEL_TENANT] === own[LABEL_TENANT] && labels[LABEL_STACK] === own[LABEL_STACK]
    && labels[LABEL_ELEMENT] === own[LABEL_ELEMENT];
}

function ownedByStack(labels: Record<string, string> | undefined | null, ctx: ElementContext): boolean {
  return !!labels && labels[LABEL_TENANT] === ctx.tenantId && labels[LABEL_STACK] === ctx.stackId;
}

/**
 * The name this element needs is taken. Whose the object is stays unsaid: it may be another
 * tenant's, and its labels (stack and tenant ids) are not this tenant's to see.
 */
function collision(kind: string, name: string): PermanentDriverError {
  return new PermanentDriverError(
    `a ${kind} named ${name} already exists on the engine and is not this stack's; AOS does not touch objects it does not own — remove or rename that ${kind}`,
    'NAME_COLLISION',
  );
}

// ---------------------------------------------------------------------------------------------
// The element's view of the engine

interface InstanceContainer {
  id: string;
  name: string;
  index: number;
  labels: Record<string, string>;
  state: string;
}

interface DesiredPorts {
  /** portKey → host port, for each NodePort service port. */
  hostPorts: Map<string, number>;
  /** Keys whose port came from the template (a conflict on them is the user's to fix). */
  fixed: Set<string>;
}

class ApplicationOnDocker {
  readonly docker: Docker;
  readonly cluster: ClusterTarget;
  readonly baseName: string;
  readonly networkName: string;

  constructor(readonly ctx: ElementContext) {
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

  /** Volume names settled by resolveVolumeNames: a volume made under its legacy name keeps it. */
  private readonly volumeNames = new Map<string, string>();

  volumeName(volume: string): string {
    return this.volumeNames.get(volume) ?? dockerObjectName(this.ctx, `vol-${volume}`);
  }

  /** Volumes this element made before names carried the tenant tag keep their data: use them. */
  async resolveVolumeNames(spec: ApplicationSpec): Promise<void> {
    for (const volume of spec.volumes) {
      const legacy = legacyObjectName(this.ctx, `vol-${volume.name}`);
      if (ownedByElement(await this.labelsOfVolume(legacy), this.ctx)) this.volumeNames.set(volume.name, legacy);
    }
  }

  /** Our containers for this element, including `-next` ones of an interrupted replacement. */
  async listContainers(): Promise<InstanceContainer[]> {
    const own = ownerLabels(this.ctx);
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [LABEL_TENANT, LABEL_STACK, LABEL_ELEMENT].map((key) => `${key}=${own[key]}`) },
    });
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

  // ----- image

  async ensureImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(image).inspect();
      return;
    } catch (error) {
      if (statusOf(error) !== 404) {
        if (statusOf(error) === 400) throw this.pullFailure(image, engineMessage(error));
        throw error;
      }
    }
    this.ctx.log(`pulling image ${image}`);
    const timeoutMs = pullTimeoutMs();
    const abort = new AbortController();
    const onCancel = (): void => abort.abort();
    this.ctx.signal.addEventListener('abort', onCancel, { once: true });
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const stream = await this.docker.pull(image, { abortSignal: abort.signal });
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (error: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
            const failed = events?.find((e) => e.error || e.errorDetail);
            if (error) reject(error);
            else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
            else resolve();
          },
          () => this.ctx.heartbeat({ step: 'pull', image }),
        );
      });
      await this.docker.getImage(image).inspect();
    } catch (error) {
      if (this.ctx.signal.aborted) throw cancelled();
      if (isEngineUnreachable(error) && !abort.signal.aborted) throw error;
      const reason = abort.signal.aborted ? `no result within ${Math.round(timeoutMs / 1000)} s` : engineMessage(error);
      throw this.pullFailure(image, reason);
    } finally {
      clearTimeout(timer);
      this.ctx.signal.removeEventListener('abort', onCancel);
    }
  }

  pullFailure(image: string, reason: string): PermanentDriverError {
    return new PermanentDriverError(`image ${image} could not be pulled: ${reason.replace(/^\(HTTP code \d+\) [a-z ]+ - /i, '')}`, 'IMAGE_PULL_FAILED');
  }

  // ----- network and volumes

  /** The stack network's id once ensureNetwork ran: containers join it by id, never by name. */
  networkId: string | null = null;

  async ensureNetwork(): Promise<void> {
    let networks = await this.stackNetworks();
    if (networks.length === 0) {
      if (await this.foreignNetworkNamed()) throw collision('network', this.networkName);
      await this.docker.createNetwork({
        Name: this.networkName,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [LABEL_TENANT]: this.ctx.tenantId, [LABEL_STACK]: this.ctx.stackId, [LABEL_NAMESPACE]: this.ctx.namespace, [LABEL_OBJECT]: 'stack-network' },
      });
      this.ctx.log(`created network ${this.networkName}`);
      networks = await this.stackNetworks();
    }
    const [canonical, ...twins] = networks;
    if (!canonical) throw new Error(`network ${this.networkName} was created but is not listed by the engine`);
    // This engine does not refuse a second network of the same name, so elements of one stack
    // created at the same moment can each make one. Every creator sees its own network and all
    // older ones, so all agree on the oldest; the others go.
    for (const twin of twins) {
      await this.docker
        .getNetwork(twin.Id)
        .remove()
        .catch(() => undefined);
    }
    this.networkId = canonical.Id;
  }

  /**
   * The stack's networks, found by their labels (so one made under an earlier naming scheme is
   * still the stack's), oldest first.
   */
  async stackNetworks(): Promise<{ Id: string; Name: string; Created?: string; Labels?: Record<string, string> }[]> {
    const listed = await this.docker.listNetworks({
      filters: { label: [`${LABEL_TENANT}=${this.ctx.tenantId}`, `${LABEL_STACK}=${this.ctx.stackId}`, `${LABEL_OBJECT}=stack-network`] },
    });
    return listed
      .filter((network) => ownedByStack(network.Labels, this.ctx))
      .sort((a, b) => String(a.Created ?? '').localeCompare(String(b.Created ?? '')) || a.Id.localeCompare(b.Id));
  }

  /** Whether a network that is not the stack's has the name the stack's network would get. */
  async foreignNetworkNamed(): Promise<boolean> {
    const listed = await this.docker.listNetworks({ filters: { name: [this.networkName] } });
    return listed.some((network) => network.Name === this.networkName && !ownedByStack(network.Labels, this.ctx));
  }

  async assertVolumesUsable(spec: ApplicationSpec): Promise<void> {
    for (const volume of spec.volumes) {
      const labels = await this.labelsOfVolume(this.volumeName(volume.name));
      if (labels !== null && !ownedByElement(labels, this.ctx)) throw collision('volume', this.volumeName(volume.name));
    }
  }

  async labelsOfVolume(name: string): Promise<Record<string, string> | null> {
    try {
      const info = await this.docker.getVolume(name).inspect();
      return info.Labels ?? {};
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async ensureVolumes(spec: ApplicationSpec): Promise<void> {
    for (const volume of spec.volumes) {
      const name = this.volumeName(volume.name);
      if ((await this.labelsOfVolume(name)) !== null) continue;
      // Creating an existing volume answers 201 as well, so a race needs no special case.
      await this.docker.createVolume({ Name: name, Labels: { ...ownerLabels(this.ctx), [LABEL_OBJECT]: 'volume' } });
      this.ctx.log(`created volume ${name}`);
    }
  }

  // ----- ports

  /** Host ports that containers on this engine hold or have reserved (labels of stopped ones). */
  async reservedHostPorts(): Promise<Set<number>> {
    const reserved = new Set<number>();
    for (const info of await this.docker.listContainers({ all: true })) {
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
  async planPorts(
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
        && (await isHostPortFree(this.publishAddress, previous, sp.protocol))) {
        hostPorts.set(key, previous);
        reserved.add(previous);
        continue;
      }
      const port = await allocateHostPort({
        range: nodePortRange(),
        reserved: new Set([...reserved, ...avoid]),
        seed: `${this.containerName(index)}/${key}`,
        address: this.publishAddress,
        protocol: sp.protocol,
      });
      hostPorts.set(key, port);
      reserved.add(port);
    }
    return { hostPorts, fixed };
  }

  // ----- containers

  containerOptions(spec: ApplicationSpec, name: string, index: number, ports: DesiredPorts): Docker.ContainerCreateOptions {
    const exposed: Record<string, Record<string, never>> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.containerPorts) exposed[`${p.containerPort}/${p.protocol}`] = {};
    const portLabels: Record<string, string> = {};
    for (const sp of spec.servicePorts) {
      const target = `${sp.targetPort}/${sp.protocol}`;
      exposed[target] = {};
      const hostPort = ports.hostPorts.get(portKey(sp));
      if (hostPort === undefined) continue;
      (bindings[target] ??= []).push({ HostIp: this.publishAddress, HostPort: String(hostPort) });
      portLabels[LABEL_HOST_PORT_PREFIX + portKey(sp)] = String(hostPort);
    }
    const health = spec.healthCheck;
    if (health) {
      const target = `${health.port}/tcp`;
      exposed[target] = {};
      // The probe reaches the container only through a published port: publish the health port
      // on an engine-chosen host port when the service does not publish it already.
      bindings[target] ??= [{ HostIp: this.publishAddress, HostPort: '' }];
    }
    return {
      name,
      Image: spec.image,
      // Kubernetes `command` semantics: with an entrypoint given, Docker drops the image's CMD.
      Entrypoint: spec.command.length > 0 ? spec.command : undefined,
      Env: [...spec.env, ...spec.secrets].map((v) => `${v.name}=${v.value}`),
      Labels: {
        ...ownerLabels(this.ctx),
        [LABEL_OBJECT]: 'container',
        [LABEL_INSTANCE]: String(index),
        [LABEL_SPEC_HASH]: containerSpecHash(spec),
        ...(health ? { [LABEL_HEALTH_CHECK]: JSON.stringify(health) } : {}),
        ...portLabels,
      },
      ExposedPorts: exposed,
      HostConfig: {
        PortBindings: bindings,
        RestartPolicy: { Name: DOCKER_RESTART_POLICY[spec.restartPolicy], MaximumRetryCount: 0 },
        Mounts: spec.volumes.map((v) => ({ Type: 'volume' as const, Source: this.volumeName(v.name), Target: v.mountPath })),
        NetworkMode: this.networkId ?? this.networkName,
      },
    };
  }

  /** Creates and starts instance `index`, finding another host port when the engine reports a race. */
  async createInstance(
    spec: ApplicationSpec,
    index: number,
    reserved: Set<number>,
    previousNodePorts: Map<string, number>,
  ): Promise<string> {
    const name = this.containerName(index);
    const avoid = new Set<number>();
    for (let attempt = 1; ; attempt++) {
      const ports = await this.planPorts(spec, index, undefined, reserved, previousNodePorts, avoid);
      const container = await this.docker.createContainer(this.containerOptions(spec, name, index, ports));
      try {
        await tolerate(() => container.start(), [304]);
        this.ctx.log(`started container ${name}${describePorts(ports)}`);
        return container.id;
      } catch (error) {
        await tolerate(() => container.remove({ force: true, v: true }), [404]);
        if (!isPortConflict(error)) throw error;
        const fixedTaken = [...ports.fixed].map((k) => ports.hostPorts.get(k));
        if (fixedTaken.length > 0 && fixedTaken.some((p) => p !== undefined && engineMessage(error).includes(`:${p}`))) {
          throw new PermanentDriverError(`nodePort ${fixedTaken.join(', ')} on ${this.publishAddress} is already in use: ${engineMessage(error)}`, 'NODEPORT_IN_USE');
        }
        if (attempt >= PORT_CONFLICT_ATTEMPTS) throw error;
        for (const [key, port] of ports.hostPorts) if (!ports.fixed.has(key)) avoid.add(port);
      }
    }
  }

  /** Replaces `old` by a container built from `spec`, keeping its host ports (see header). */
  async replaceInstance(spec: ApplicationSpec, old: InstanceContainer, ports: DesiredPorts): Promise<string> {
    const nextName = `${old.name}${NEXT_SUFFIX}`;
    const leftover = await this.labelsOfContainerNamed(nextName);
    if (leftover !== null) {
      if (!ownedByElement(leftover, this.ctx)) throw collision('container', nextName);
      await tolerate(() => this.docker.getContainer(nextName).remove({ force: true, v: true }), [404]);
    }
    const next = await this.docker.createContainer(this.containerOptions(spec, nextName, old.index, ports));
    const oldContainer = this.docker.getContainer(old.id);
    await tolerate(() => oldContainer.stop({ t: stopGraceSeconds() }), [304, 404]);
    try {
      await next.start();
      await this.waitReady([{ id: next.id, name: nextName }], spec.restartPolicy);
    } catch (error) {
      await tolerate(() => next.remove({ force: true, v: true }), [404]);
      await tolerate(() => oldContainer.start(), [304, 404]).catch(() => undefined);
      throw error;
    }
    await tolerate(() => oldContainer.remove({ force: true, v: true }), [404]);
    await next.rename({ name: old.name });
    this.ctx.log(`replaced container ${old.name}${describePorts(ports)}`);
    return next.id;
  }

  /**
   * Finishes what an interrupted replacement left: a `-next` beside its original is discarded
   * (the original is still the truth); a lone `-next` (the original was already removed) takes
   * the original's name.
   */
  async recoverInterruptedReplacements(containers: InstanceContainer[]): Promise<boolean> {
    let changed = false;
    for (const c of containers.filter((x) => x.name.endsWith(NEXT_SUFFIX))) {
      const original = c.name.slice(0, -NEXT_SUFFIX.length);
      if (containers.some((x) => x.name === original)) {
        await tolerate(() => this.docker.getContainer(c.id).remove({ force: true, v: true }), [404]);
      } else {
        await this.docker.getContainer(c.id).rename({ name: original });
      }
      changed = true;
    }
    return changed;
  }

  async removeContainer(c: { id: string; name: string }): Promise<void> {
    const container = this.docker.getContainer(c.id);
    await tolerate(() => container.stop({ t: stopGraceSeconds() }), [304, 404]);
    await tolerate(() => container.remove({ force: true, v: true }), [404]);
    this.ctx.log(`removed container ${c.name}`);
  }

  /**
   * Waits (bounded, heartbeating) until every container runs and answers: the health check when
   * there is one, else a TCP connect on its first published TCP port. Gives up early on a
   * container that exited for good or restarted CRASH_LOOP_RESTARTS times while we waited.
   */
  async waitReady(containers: { id: string; name: string }[], restartPolicy: ApplicationSpec['restartPolicy']): Promise<void> {
    const timeoutMs = readyTimeoutMs();
    const deadline = Date.now() + timeoutMs;
    const pending = new Map(containers.map((c) => [c.id, c]));
    const restartsBefore = new Map<string, number>();
    const lastProblem = new Map<string, string>();
    while (pending.size > 0) {
      this.ctx.heartbeat({ step: 'wait-ready', pending: [...pending.values()].map((c) => c.name) });
      for (const c of [...pending.values()]) {
        const info = await this.docker.getContainer(c.id).inspect();
        if (!restartsBefore.has(c.id)) restartsBefore.set(c.id, info.RestartCount);
        const verdict = await this.readiness(info, restartPolicy, info.RestartCount - (restartsBefore.get(c.id) ?? 0));
        if (verdict.ready) pending.delete(c.id);
        else if (verdict.fatal) throw new Error(`container ${c.name} ${verdict.problem}`);
        else lastProblem.set(c.id, verdict.problem);
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        const why = [...pending.values()].map((c) => `${c.name}: ${lastProblem.get(c.id) ?? 'not ready'}`).join('; ');
        throw new Error(`containers not ready within ${Math.round(timeoutMs / 1000)} s (${why})`);
      }
      await sleep(POLL_INTERVAL_MS, this.ctx.signal);
    }
  }

  async readiness(
    info: Docker.ContainerInspectInfo,
    restartPolicy: ApplicationSpec['restartPolicy'],
    restartsWhileWaiting: number,
  ): Promise<{ ready: boolean; fatal?: boolean; problem: string }> {
    const state = info.State;
    if (restartsWhileWaiting >= CRASH_LOOP_RESTARTS) {
      return { ready: false, fatal: true, problem: `keeps restarting (${restartsWhileWaiting} restarts, last exit code ${state.ExitCode})` };
    }
    if (state.Status === 'exited' || state.Status === 'dead') {
      // With a policy that restarts it, Docker will try again: keep waiting (bounded).
      const willRestart = restartPolicy === 'Always' || (restartPolicy === 'OnFailure' && state.ExitCode !== 0);
      return { ready: false, fatal: !willRestart, problem: `exited with code ${state.ExitCode}${state.Error ? ` (${state.Error})` : ''}` };
    }
    if (!state.Running || state.Restarting) return { ready: false, problem: `is ${state.Status}` };
    const probe = await this.probe(info);
    return probe ? { ready: probe.ok, problem: probe.detail } : { ready: true, problem: '' };
  }

  /** The probe for a running container: its health check, else TCP on its first published TCP port. */
  async probe(info: Docker.ContainerInspectInfo): Promise<ProbeResult | null> {
    const published = info.NetworkSettings.Ports ?? {};
    const hostPortOf = (containerPort: string): number | undefined => {
      const binding = published[containerPort]?.find((b) => b.HostPort);
      return binding ? Number(binding.HostPort) : undefined;
    };
    const host = dialAddress(this.publishAddress);
    const health = parseHealthLabel(info.Config.Labels?.[LABEL_HEALTH_CHECK]);
    if (health) {
      const port = hostPortOf(`${health.port}/tcp`);
      if (port === undefined) return { ok: false, detail: `health port ${health.port} is not published` };
      return health.type === 'http' ? probeHttp(host, port, health.path) : probeTcp(host, port);
    }
    const firstTcp = Object.keys(published).sort().find((key) => key.endsWith('/tcp') && hostPortOf(key) !== undefined);
    return firstTcp ? probeTcp(host, hostPortOf(firstTcp) as number) : null;
  }

  // ----- state

  async stateOf(spec: Pick<ApplicationSpec, 'serviceType' | 'servicePorts'>, instances: number, extra: Record<string, unknown> = {}): Promise<ElementState> {
    const containers = (await this.listContainers()).filter((c) => !c.name.endsWith(NEXT_SUFFIX) && c.index < instances);
    const host = dialAddress(this.publishAddress);
    const first = containers.find((c) => c.index === 0);
    const ports = spec.servicePorts.map((sp) => {
      const recorded = Number(first?.labels[LABEL_HOST_PORT_PREFIX + portKey(sp)]);
      const nodePort = spec.serviceType === 'NodePort' ? (Number.isInteger(recorded) && recorded > 0 ? recorded : sp.nodePort ?? null) : null;
      return { port: sp.port, nodePort, targetPort: sp.targetPort, protocol: protocolLabel(sp.protocol) };
    });
    const endpoints: string[] = [];
    for (const c of containers) {
      for (const sp of spec.servicePorts) {
        if (spec.serviceType === 'NodePort') {
          const hostPort = c.labels[LABEL_HOST_PORT_PREFIX + portKey(sp)];
          if (hostPort) endpoints.push(`${host}:${hostPort}`);
        } else {
          // ClusterIP: reachable by name inside the stack's network only.
          endpoints.push(`${c.name}:${sp.targetPort}`);
        }
      }
    }
    return {
      physicalId: this.baseName,
      attributes: {
        Service: { type: spec.serviceType, ports },
        instances,
        endpoints,
        containers: containers.map((c) => c.name),
        ...extra,
      },
    };
  }
}

function parseHealthLabel(raw: string | undefined): HealthCheck | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as HealthCheck;
    return value && (value.type === 'tcp' || value.type === 'http') && Number.isInteger(value.port) ? value : undefined;
  } catch {
    return undefined;
  }
}

function describePorts(ports: DesiredPorts): string {
  return ports.hostPorts.size > 0 ? ` (host ports ${[...ports.hostPorts.values()].join(', ')})` : '';
}

function sameHostPorts(labels: Record<string, string>, ports: DesiredPorts): boolean {
  const recorded = Object.entries(labels).filter(([key]) => key.startsWith(LABEL_HOST_PORT_PREFIX));
  if (recorded.length !== ports.hostPorts.size) return false;
  return recorded.every(([key, value]) => ports.hostPorts.get(key.slice(LABEL_HOST_PORT_PREFIX.length)) === Number(value));
}

function nodePortsOf(state: ElementState | undefined): Map<string, number> {
  const result = new Map<string, number>();
  const service = state?.attributes.Service as { ports?: { port?: unknown; protocol?: unknown; nodePort?: unknown }[] } | undefined;
  for (const p of service?.ports ?? []) {
    if (typeof p.port === 'number' && typeof p.nodePort === 'number' && typeof p.protocol === 'string') {
      result.set(`${p.port}-${p.protocol.toLowerCase()}`, p.nodePort);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The driver

/**
 * Brings the engine to the desired state: pulled image, network, volumes, `instances` running
 * containers built from the current spec. Create and update are both this: whatever a previous
 * (interrupted) attempt left is found by name and labels and reused.
 */
async function reconcile(ctx: ElementContext, properties: Record<string, unknown>, previous?: ElementState): Promise<ElementState> {
  const spec = parseApplicationSpec(properties, containerComponentProperties(ctx));
  const app = new ApplicationOnDocker(ctx);

  // Everything that can fail without side effects first: the image, foreign objects in the way.
  await app.ensureImage(spec.image);
  ctx.heartbeat({ step: 'image-ready' });
  let containers = await app.listContainers();
  if (await app.recoverInterruptedReplacements(containers)) containers = await app.listContainers();
  for (let i = 0; i < spec.instances; i++) {
    if (!containers.some((c) => c.index === i)) await app.assertNameFree(app.containerName(i));
  }
  await app.resolveVolumeNames(spec);
  await app.assertVolumesUsable(spec);

  await app.ensureNetwork();
  await app.ensureVolumes(spec);

  // Scale in: the highest indexes go (stopped in parallel: each may take the stop grace period).
  await Promise.all(containers.filter((c) => c.index >= spec.instances).map((c) => app.removeContainer(c)));

  const hash = containerSpecHash(spec);
  const reserved = await app.reservedHostPorts();
  const previousNodePorts = nodePortsOf(previous);
  const restartPolicy = DOCKER_RESTART_POLICY[spec.restartPolicy];
  const toWaitFor: { id: string; name: string }[] = [];
  for (let i = 0; i < spec.instances; i++) {
    ctx.heartbeat({ step: 'instance', index: i });
    const existing = containers.find((c) => c.index === i);
    if (!existing) {
      const id = await app.createInstance(spec, i, reserved, previousNodePorts);
      toWaitFor.push({ id, name: app.containerName(i) });
      continue;
    }
    const ports = await app.planPorts(spec, i, existing.labels, reserved, previousNodePorts);
    if (existing.labels[LABEL_SPEC_HASH] !== hash || !sameHostPorts(existing.labels, ports)) {
      await app.replaceInstance(spec, existing, ports);
      continue;
    }
    const container = app.docker.getContainer(existing.id);
    const info = await container.inspect();
    if (info.HostConfig.RestartPolicy?.Name !== restartPolicy) {
      await container.update({ RestartPolicy: { Name: restartPolicy, MaximumRetryCount: 0 } });
      ctx.log(`restart policy of ${existing.name} set to ${restartPolicy}`);
    }
    if (!info.State.Running) {
      try {
        await tolerate(() => container.start(), [304]);
      } catch (error) {
        // Created by an interrupted attempt, and its host port was taken since: build it anew.
        if (!isPortConflict(error)) throw error;
        await app.removeContainer(existing);
        const id = await app.createInstance(spec, i, reserved, previousNodePorts);
        toWaitFor.push({ id, name: app.containerName(i) });
        continue;
      }
    }
    toWaitFor.push({ id: existing.id, name: existing.name });
  }
  await app.waitReady(toWaitFor, spec.restartPolicy);
  return app.stateOf(spec, spec.instances);
}

/** The service shape recorded in the state, for start/stop/health that get no properties. */
function serviceOfState(state: ElementState): Pick<ApplicationSpec, 'serviceType' | 'servicePorts'> {
  const service = state.attributes.Service as { type?: unknown; ports?: { port?: unknown; targetPort?: unknown; protocol?: unknown; nodePort?: unknown }[] } | undefined;
  const servicePorts: ServicePort[] = (service?.ports ?? [])
    .filter((p) => typeof p.port === 'number')
    .map((p) => ({
      port: p.port as number,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : (p.port as number),
      protocol: String(p.protocol ?? 'tcp').toLowerCase() === 'udp' ? 'udp' : 'tcp',
      nodePort: typeof p.nodePort === 'number' ? p.nodePort : undefined,
    }));
  return { serviceType: service?.type === 'NodePort' ? 'NodePort' : 'ClusterIP', servicePorts };
}

function instancesOfState(state: ElementState | null, fallback: number): number {
  const n = state?.attributes.instances;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

export const statelessApplicationDriver: ElementDriver = {
  type: STATELESS_APPLICATION_TYPE,

  create(ctx, properties) {
    return reconcile(ctx, properties);
  },

  update(ctx, properties, previous) {
    return reconcile(ctx, properties, previous.state);
  },

  async delete(ctx, _state) {
    const app = new ApplicationOnDocker(ctx);
    const containers = await app.listContainers();
    ctx.heartbeat({ step: 'delete', containers: containers.map((c) => c.name) });
    // In parallel: each may take the stop grace period.
    await Promise.all(containers.map((c) => app.removeContainer(c)));
    const own = ownerLabels(ctx);
    const volumes = await app.docker.listVolumes({
      filters: { label: [LABEL_TENANT, LABEL_STACK, LABEL_ELEMENT].map((key) => `${key}=${own[key]}`) },
    });
    for (const volume of volumes.Volumes ?? []) {
      await tolerate(() => app.docker.getVolume(volume.Name).remove(), [404]);
      ctx.log(`removed volume ${volume.Name}`);
    }
    // The stack's network goes with the last container attached to it. A network's own list of
    // containers shows running ones only; the list filter sees stopped ones too (an element of
    // the stack that is stopped still needs the network to start again).
    for (const network of await app.stackNetworks()) {
      const attached = await app.docker.listContainers({ all: true, filters: { network: [network.Id] } });
      if (attached.length > 0) continue;
      try {
        await app.docker.getNetwork(network.Id).remove();
        ctx.log(`removed network ${network.Name}`);
      } catch (error) {
        // 409: another element attached a container meanwhile; it stays for that one.
        if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
      }
    }
  },

  async stop(ctx, state) {
    const app = new ApplicationOnDocker(ctx);
    const containers = await app.listContainers();
    await Promise.all(containers.map(async (c) => {
      ctx.heartbeat({ step: 'stop', container: c.name });
      await tolerate(() => app.docker.getContainer(c.id).stop({ t: stopGraceSeconds() }), [304, 404]);
    }));
    ctx.log(`stopped ${containers.length} container(s)`);
    return app.stateOf(serviceOfState(state), instancesOfState(state, containers.length), { stopped: true });
  },

  async start(ctx, state) {
    const app = new ApplicationOnDocker(ctx);
    const instances = instancesOfState(state, 0);
    const containers = (await app.listContainers()).filter((c) => !c.name.endsWith(NEXT_SUFFIX) && c.index < instances);
    const missing = [...Array(instances).keys()].filter((i) => !containers.some((c) => c.index === i));
    if (missing.length > 0) {
      // Start has no properties to rebuild from; an update (or a reinstall) recreates them.
      throw new Error(`cannot start: instance(s) ${missing.map((i) => app.containerName(i)).join(', ')} no longer exist; update the stack to recreate them`);
    }
    for (const c of containers) await tolerate(() => app.docker.getContainer(c.id).start(), [304]);
    const restartPolicy = containers[0]
      ? (await app.docker.getContainer(containers[0].id).inspect()).HostConfig.RestartPolicy?.Name
      : undefined;
    await app.waitReady(containers, restartPolicy === 'no' ? 'Never' : restartPolicy === 'on-failure' ? 'OnFailure' : 'Always');
    ctx.log(`started ${containers.length} container(s)`);
    return app.stateOf(serviceOfState(state), instances);
  },

  async health(ctx, state): Promise<HealthReport> {
    let app: ApplicationOnDocker;
    let containers: InstanceContainer[];
    try {
      app = new ApplicationOnDocker(ctx);
      containers = (await app.listContainers()).filter((c) => !c.name.endsWith(NEXT_SUFFIX));
    } catch (error) {
      if (error instanceof PermanentDriverError) return { health: 'UNKNOWN', message: error.message };
      return { health: 'UNKNOWN', message: `Docker engine at ${ctx.cluster?.endpoint} could not be asked: ${engineMessage(error)}` };
    }
    const instances = instancesOfState(state, containers.length);
    const stoppedOnPurpose = state.attributes.stopped === true;
    try {
      const problems: string[] = [];
      let running = 0;
      for (let i = 0; i < instances; i++) {
        const c = containers.find((x) => x.index === i);
        if (!c) {
          problems.push(`container ${app.containerName(i)} is missing`);
          continue;
        }
        const info = await app.docker.getContainer(c.id).inspect();
        const s = info.State;
        if (s.Running && !s.Restarting) {
          running++;
          const probe = await app.probe(info);
          if (probe && !probe.ok) problems.push(`container ${c.name}: probe failed (${probe.detail})`);
        } else if (!stoppedOnPurpose) {
          problems.push(
            s.Restarting
              ? `container ${c.name} is restarting (restarted ${info.RestartCount} times, last exit code ${s.ExitCode})`
              : `container ${c.name} is ${s.Status}${s.Status === 'exited' ? ` with code ${s.ExitCode}` : ''}${s.OOMKilled ? ' (out of memory)' : ''}`,
          );
        }
      }
      if (stoppedOnPurpose && running === 0 && problems.length === 0) {
        return { health: 'HEALTHY', stopped: true, message: `all ${instances} container(s) stopped` };
      }
      if (problems.length > 0) return { health: 'ABNORMAL', message: problems.join('; '), stopped: false };
      return { health: 'HEALTHY', stopped: false };
    } catch (error) {
      return { health: 'UNKNOWN', message: `Docker engine at ${ctx.cluster?.endpoint} could not be asked: ${engineMessage(error)}` };
    }
  },
};

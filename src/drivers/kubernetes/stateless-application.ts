// CTC.ServiceStage.StatelessApplication on a Kubernetes cluster: the objects of manifests.ts,
// applied with server-side apply (field manager `aos`, force), in the stack's namespace.
//
// - create/update: the same reconcile. Everything that can fail without side effects first
//   (rendering, foreign objects in the way); then the namespace (created when missing, labelled as
//   AOS's), the Secret, the claims, the Deployment and the Service; objects the spec no longer has
//   (Secret, Service) removed; then the rollout is waited for, heartbeating.
// - stop: replicas to 0 (a JSON merge patch, not an apply: an apply of a partial object would
//   drop the fields it leaves out), the replicas remembered in an annotation; start gives them
//   back. A later update applies the template's instances and forgets the annotation.
// - health: available against desired replicas, and what the pods say when they differ.
// - delete: every object carrying the element's labels (never one without them), then the
//   namespace, only when AOS created it and nothing but this element's objects is left in it.
import type { V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node';
import { STATELESS_APPLICATION_TYPE } from '../workload/spec.js';
import { PermanentDriverError, type ClusterTarget, type ElementContext, type ElementDriver, type ElementState, type HealthReport } from '../types.js';
import { FIELD_MANAGER, apiMessage, driverError, kubernetesClient, mergePatchOptions, orNull, statusOf, tolerate, type KubernetesClient } from './client.js';
import {
  ANNOTATION_STOPPED_REPLICAS,
  CREATED_BY_AOS,
  LABEL_CREATED_BY,
  kubernetesName,
  labelSelector,
  manifestList,
  namespaceManifest,
  renderApplication,
  selectorLabels,
  type ApplicationManifests,
} from './manifests.js';
import { collision, kindOperations, ownedByElement, type KindOperations, type KubernetesObjectLike, type ObjectKind } from './objects.js';
import { podProblems, waitForRollout } from './rollout.js';
import type { KubernetesSettings } from './settings.js';

function requireCluster(ctx: ElementContext): ClusterTarget {
  if (!ctx.cluster) throw new PermanentDriverError(`${ctx.element}: the stack has no cluster to deploy on`, 'NO_CLUSTER');
  return ctx.cluster;
}

/** One element as the API server sees it: its client, its names and its objects. */
class ApplicationOnKubernetes {
  readonly cluster: ClusterTarget;
  readonly client: KubernetesClient;
  readonly namespace: string;
  readonly name: string;
  readonly kinds: Record<ObjectKind, KindOperations>;
  readonly selector: string;

  constructor(
    readonly ctx: ElementContext,
    readonly settings: KubernetesSettings,
  ) {
    this.cluster = requireCluster(ctx);
    this.client = kubernetesClient(this.cluster, settings, ctx.signal);
    this.namespace = ctx.namespace;
    this.name = kubernetesName(ctx);
    this.kinds = kindOperations(this.client, this.namespace);
    this.selector = labelSelector(selectorLabels(ctx));
  }

  get publishAddress(): string {
    return this.cluster.publishAddress || '127.0.0.1';
  }

  async readDeployment(): Promise<V1Deployment | null> {
    const deployment: V1Deployment | null = await this.kinds.Deployment.read(this.name);
    if (deployment && !ownedByElement(deployment, this.ctx)) throw collision('Deployment', this.name, this.namespace);
    return deployment;
  }

  async listPods(): Promise<V1Pod[]> {
    return (await this.client.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.selector })).items;
  }

  waitForRollout(): Promise<V1Deployment> {
    return waitForRollout({
      readDeployment: () => this.readDeployment(),
      listPods: () => this.listPods(),
      heartbeat: (details) => this.ctx.heartbeat(details),
      signal: this.ctx.signal,
      timeoutMs: this.settings.rolloutTimeoutMs,
      name: this.name,
    });
  }

  /** Replicas and the stopped annotation in one merge patch (null removes the annotation). */
  async scale(replicas: number, stoppedReplicas: number | null): Promise<void> {
    const body = { metadata: { annotations: { [ANNOTATION_STOPPED_REPLICAS]: stoppedReplicas === null ? null : String(stoppedReplicas) } }, spec: { replicas } };
    await this.client.apps.patchNamespacedDeployment({ name: this.name, namespace: this.namespace, body, fieldManager: FIELD_MANAGER }, mergePatchOptions());
  }

  /** The stack's namespace, created (labelled as AOS's) when missing. */
  async ensureNamespace(): Promise<void> {
    const { core } = this.client;
    try {
      if (await orNull(() => core.readNamespace({ name: this.namespace }))) return;
    } catch (error) {
      // A kubeconfig confined to its namespace may not read namespaces: the namespace is then
      // the cluster administrator's to provide, and the applies say so if it is missing.
      if (statusOf(error) === 403) return;
      throw error;
    }
    await tolerate(() => core.createNamespace({ body: namespaceManifest(this.ctx) }), [409]);
    this.ctx.log(`created namespace ${this.namespace}`);
  }

  /**
   * Deletes the namespace when AOS created it and nothing is left in it but this element's
   * objects (on their way out). Other stacks' objects, or anybody else's, keep it.
   */
  async removeNamespaceIfUnused(): Promise<void> {
    const { core, apps } = this.client;
    let namespace;
    try {
      namespace = await orNull(() => core.readNamespace({ name: this.namespace }));
    } catch (error) {
      if (statusOf(error) === 403) return;
      throw error;
    }
    if (!namespace || namespace.metadata?.labels?.[LABEL_CREATED_BY] !== CREATED_BY_AOS || namespace.metadata.deletionTimestamp) return;
    const namespaced = { namespace: this.namespace };
    const lists: KubernetesObjectLike[][] = await Promise.all([
      apps.listNamespacedDeployment(namespaced).then((l) => l.items),
      core.listNamespacedService(namespaced).then((l) => l.items),
      core.listNamespacedSecret(namespaced).then((l) => l.items),
      core.listNamespacedPersistentVolumeClaim(namespaced).then((l) => l.items),
      core.listNamespacedPod(namespaced).then((l) => l.items),
    ]);
    const remaining = lists.flat().filter((o) => !o.metadata?.deletionTimestamp && !ownedByElement(o, this.ctx));
    if (remaining.length > 0) return;
    await tolerate(() => core.deleteNamespace({ name: this.namespace }), [404, 409]);
    this.ctx.log(`deleted namespace ${this.namespace} (created by AOS, now empty)`);
  }

  /** The element's state from the cluster as it is: the Service's ports (nodePorts read back) and endpoints. */
  async stateOf(instances: number, extra: Record<string, unknown> = {}): Promise<ElementState> {
    const service: V1Service | null = await this.kinds.Service.read(this.name);
    const owned = service && ownedByElement(service, this.ctx) ? service : null;
    const type = owned?.spec?.type === 'NodePort' ? 'NodePort' : 'ClusterIP';
    const ports = (owned?.spec?.ports ?? []).map((p) => ({
      port: p.port,
      nodePort: type === 'NodePort' ? (p.nodePort ?? null) : null,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : Number(p.targetPort ?? p.port),
      protocol: p.protocol === 'UDP' ? 'UDP' : 'TCP',
    }));
    const host = this.publishAddress.includes(':') ? `[${this.publishAddress}]` : this.publishAddress;
    const endpoints = ports.map((p) => (type === 'NodePort' ? (p.nodePort === null ? null : `${host}:${p.nodePort}`) : `${this.name}.${this.namespace}.svc:${p.port}`)).filter((e): e is string => e !== null);
    return {
      physicalId: `${this.namespace}/${this.name}`,
      attributes: { Service: { type, ports }, instances, endpoints, namespace: this.namespace, deployment: this.name, ...extra },
    };
  }
}

function instancesOfState(state: ElementState | null, fallback: number): number {
  const n = state?.attributes.instances;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

/** Every object `manifests` has is free or already this element's: checked before anything is changed. */
async function assertNamesFree(app: ApplicationOnKubernetes, manifests: ApplicationManifests): Promise<void> {
  for (const manifest of manifestList(manifests)) {
    const kind = manifest.kind as ObjectKind;
    const name = manifest.metadata?.name ?? '';
    const existing = await app.kinds[kind].read(name);
    if (existing && !ownedByElement(existing, app.ctx)) throw collision(kind, name, app.namespace);
  }
}

/** An object of `kind` named `name` the spec no longer has: removed when it is this element's. */
async function removeIfOwned(app: ApplicationOnKubernetes, kind: ObjectKind, name: string): Promise<void> {
  const existing = await app.kinds[kind].read(name);
  if (!existing || !ownedByElement(existing, app.ctx)) return;
  await app.kinds[kind].remove(name, existing.metadata?.uid);
  app.ctx.log(`removed ${kind} ${name}`);
}

async function reconcile(settings: KubernetesSettings, ctx: ElementContext, properties: Record<string, unknown>): Promise<ElementState> {
  const manifests = renderApplication(ctx, properties);
  const secrets = manifests.secret ? Object.values(manifests.secret.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8')) : [];
  const app = new ApplicationOnKubernetes(ctx, settings);
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw driverError(error, what, secrets);
    }
  };

  await step(`checking namespace ${app.namespace}`, () => app.ensureNamespace());
  await step('checking for objects in the way', () => assertNamesFree(app, manifests));
  const previous = await step(`reading Deployment ${app.name}`, () => app.readDeployment());

  for (const manifest of manifestList(manifests)) {
    const kind = manifest.kind as ObjectKind;
    const name = manifest.metadata?.name ?? '';
    ctx.heartbeat({ step: 'apply', kind, name });
    await step(`applying ${kind} ${name}`, () => app.kinds[kind].apply(name, manifest));
  }
  ctx.log(`applied ${manifestList(manifests).map((m) => `${m.kind} ${m.metadata?.name}`).join(', ')} in namespace ${app.namespace}`);
  // A stop's annotation is the past once the template's instances are applied again.
  if (previous?.metadata?.annotations?.[ANNOTATION_STOPPED_REPLICAS] !== undefined) {
    await step(`updating Deployment ${app.name}`, () => app.scale(manifests.deployment.spec?.replicas ?? 0, null));
  }
  if (!manifests.secret) await step('removing the unused Secret', () => removeIfOwned(app, 'Secret', kubernetesName(ctx, 'secret')));
  if (!manifests.service) await step('removing the unused Service', () => removeIfOwned(app, 'Service', app.name));

  await step(`waiting for Deployment ${app.name}`, () => app.waitForRollout());
  return step('reading the Service', () => app.stateOf(manifests.deployment.spec?.replicas ?? 0));
}

export function createStatelessApplicationDriver(settings: KubernetesSettings): ElementDriver {
  return {
    type: STATELESS_APPLICATION_TYPE,

    create(ctx, properties) {
      return reconcile(settings, ctx, properties);
    },

    update(ctx, properties) {
      return reconcile(settings, ctx, properties);
    },

    async delete(ctx, _state) {
      const app = new ApplicationOnKubernetes(ctx, settings);
      try {
        // The Deployment first: its pods stop using the Secret and the claims.
        for (const kind of ['Deployment', 'Service', 'Secret', 'PersistentVolumeClaim'] as const) {
          const operations = app.kinds[kind];
          for (const object of await operations.list(app.selector)) {
            const name = object.metadata?.name ?? '';
            // The list was filtered by our labels; checked again all the same, as create does.
            if (!ownedByElement(object, ctx)) continue;
            ctx.heartbeat({ step: 'delete', kind, name });
            await operations.remove(name, object.metadata?.uid);
            ctx.log(`deleted ${kind} ${name}`);
          }
        }
        // A same-named object without our labels was not in the lists: it stays, and is said.
        const foreign = await app.kinds.Deployment.read(app.name);
        if (foreign && !ownedByElement(foreign, ctx)) ctx.log(`left Deployment ${app.name} in place: it is not this stack's`);
        await app.removeNamespaceIfUnused();
      } catch (error) {
        throw driverError(error, `deleting ${app.name} in namespace ${app.namespace}`);
      }
    },

    async stop(ctx, state) {
      const app = new ApplicationOnKubernetes(ctx, settings);
      try {
        const deployment = await app.readDeployment();
        const instances = instancesOfState(state, deployment?.spec?.replicas ?? 0);
        if (deployment) {
          const replicas = deployment.spec?.replicas ?? 0;
          const remembered = deployment.metadata?.annotations?.[ANNOTATION_STOPPED_REPLICAS];
          // Stopped already (a retried stop): keep what the first stop remembered.
          if (replicas > 0 || remembered === undefined) await app.scale(0, replicas > 0 ? replicas : instances);
          await app.waitForRollout();
          ctx.log(`stopped Deployment ${app.name} (was ${replicas > 0 ? replicas : remembered ?? instances} instance(s))`);
        }
        return await app.stateOf(instances, { stopped: true });
      } catch (error) {
        throw driverError(error, `stopping ${app.name} in namespace ${app.namespace}`);
      }
    },

    async start(ctx, state) {
      const app = new ApplicationOnKubernetes(ctx, settings);
      try {
        const deployment = await app.readDeployment();
        if (!deployment) {
          // Start has no properties to rebuild from; an update (or a reinstall) recreates it.
          throw new Error(`cannot start: Deployment ${app.name} in namespace ${app.namespace} no longer exists; update the stack to recreate it`);
        }
        const remembered = Number(deployment.metadata?.annotations?.[ANNOTATION_STOPPED_REPLICAS]);
        const replicas = Number.isInteger(remembered) && remembered >= 0 ? remembered : instancesOfState(state, deployment.spec?.replicas ?? 0);
        await app.scale(replicas, null);
        await app.waitForRollout();
        ctx.log(`started Deployment ${app.name} (${replicas} instance(s))`);
        return await app.stateOf(replicas);
      } catch (error) {
        throw driverError(error, `starting ${app.name} in namespace ${app.namespace}`);
      }
    },

    async health(ctx, state): Promise<HealthReport> {
      let app: ApplicationOnKubernetes;
      try {
        app = new ApplicationOnKubernetes(ctx, settings);
      } catch (error) {
        return { health: 'UNKNOWN', message: apiMessage(error) };
      }
      const unknown = (error: unknown): HealthReport => ({ health: 'UNKNOWN', message: `the API server of cluster ${app.cluster.name} could not be asked: ${apiMessage(error)}` });
      let deployment: V1Deployment | null;
      try {
        deployment = await app.readDeployment();
      } catch (error) {
        if (error instanceof PermanentDriverError) return { health: 'ABNORMAL', message: error.message };
        return unknown(error);
      }
      if (!deployment) return { health: 'ABNORMAL', message: `Deployment ${app.name} is missing from namespace ${app.namespace}`, stopped: false };
      const desired = deployment.spec?.replicas ?? 0;
      const available = deployment.status?.availableReplicas ?? 0;
      const running = deployment.status?.replicas ?? 0;
      if (desired === 0) {
        const onPurpose = deployment.metadata?.annotations?.[ANNOTATION_STOPPED_REPLICAS] !== undefined;
        if (onPurpose) {
          const was = instancesOfState(state, Number(deployment.metadata?.annotations?.[ANNOTATION_STOPPED_REPLICAS]) || 0);
          return { health: 'HEALTHY', stopped: true, message: running === 0 ? `all ${was} instance(s) stopped` : `stopping (${running} instance(s) left)` };
        }
        return { health: 'HEALTHY', stopped: false };
      }
      if (available >= desired) return { health: 'HEALTHY', stopped: false };
      let details: string[] = [];
      try {
        details = podProblems(await app.listPods()).problems;
      } catch (error) {
        details = [`its pods could not be listed: ${apiMessage(error)}`];
      }
      return { health: 'ABNORMAL', stopped: false, message: [`${available} of ${desired} instance(s) available`, ...details].join('; ') };
    },
  };
}

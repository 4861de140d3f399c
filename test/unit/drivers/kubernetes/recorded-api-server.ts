// A recorded-response Kubernetes API server for the driver's tests: node:http on 127.0.0.1 (a
// random port), answering the few paths the driver uses like an API server would (objects kept in
// memory, server-side apply and merge patches applied, nodePorts allocated, Deployments rolling
// out one read after a change, pods made up from Deployments), and checking every request: the
// bearer token, the method and path, the query (fieldManager=aos, force=true on applies), the
// content type, and each apply body (its kind, name, namespace and owner labels, and validity
// against the Kubernetes OpenAPI schema). What it refused is in `violations`.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runValidateFunc, type ValidateFunc } from '@kubernetes-models/validate';
import { validate as validateDeployment } from 'kubernetes-models/_schemas/IoK8sApiAppsV1Deployment';
import { validate as validatePersistentVolumeClaim } from 'kubernetes-models/_schemas/IoK8sApiCoreV1PersistentVolumeClaim';
import { validate as validateSecret } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Secret';
import { validate as validateService } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Service';

type Obj = Record<string, any>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: Obj | null;
}

const RESOURCES: Record<string, { apiVersion: string; kind: string; validate?: ValidateFunc<unknown> }> = {
  namespaces: { apiVersion: 'v1', kind: 'Namespace' },
  secrets: { apiVersion: 'v1', kind: 'Secret', validate: validateSecret as ValidateFunc<unknown> },
  services: { apiVersion: 'v1', kind: 'Service', validate: validateService as ValidateFunc<unknown> },
  persistentvolumeclaims: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', validate: validatePersistentVolumeClaim as ValidateFunc<unknown> },
  pods: { apiVersion: 'v1', kind: 'Pod' },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment', validate: validateDeployment as ValidateFunc<unknown> },
};

const OWNER_LABELS = ['aos.tenant', 'aos.stack', 'aos.element', 'aos.namespace'];
export const APPLY = 'application/apply-patch+yaml';
export const MERGE = 'application/merge-patch+json';

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** RFC 7386: null deletes, objects merge, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Obj) } : {};
  for (const [key, value] of Object.entries(patch as Obj)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function matches(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return labels?.[key] === value;
  });
}

export interface UnhealthyPods {
  available: number;
  waitingReason: string;
  restarts: number;
}

export class RecordedApiServer {
  readonly token = `token-${randomUUID()}`;
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** `<resource>/<namespace>/<name>` (namespaces: `namespaces//<name>`). */
  readonly objects = new Map<string, Obj>();
  /** Reads of a changed Deployment before its status catches up. */
  rolloutLag = 1;
  /** Set: Deployments never get more than this many available pods, and their pods say why. */
  unhealthy: UnhealthyPods | null = null;
  /** Set: the next PATCH is answered with this status (e.g. a 422 quoting the body). */
  failNextPatch: Obj | null = null;
  private nextNodePort = 30000;
  private server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  kubeconfig(token = this.token): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'current-context: test',
      'clusters: [{name: test, cluster: {server: "' + this.url + '"}}]',
      'users: [{name: test, user: {token: "' + token + '"}}]',
      'contexts: [{name: test, context: {cluster: test, user: test}}]',
    ].join('\n');
  }

  seed(resource: string, namespace: string, object: Obj): void {
    const meta = object.metadata ?? {};
    this.objects.set(`${resource}/${namespace}/${meta.name}`, {
      apiVersion: RESOURCES[resource].apiVersion,
      kind: RESOURCES[resource].kind,
      ...object,
      metadata: { uid: randomUUID(), generation: 1, ...meta, ...(resource === 'namespaces' ? {} : { namespace }) },
    });
  }

  get(resource: string, namespace: string, name: string): Obj | undefined {
    return this.objects.get(`${resource}/${namespace}/${name}`);
  }

  /** `METHOD path` of each request, for order checks. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  private violation(res: ServerResponse, message: string): void {
    this.violations.push(message);
    this.send(res, 400, status(400, 'BadRequest', `recorded server: ${message}`));
  }

  private send(res: ServerResponse, code: number, body: Obj): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Obj | null = null;
      try {
        body = text ? (JSON.parse(text) as Obj) : null;
      } catch {
        body = null;
      }
      const record: RecordedRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: req.headers['content-type'], body };
      this.requests.push(record);
      if (req.headers.authorization !== `Bearer ${this.token}`) return this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
      if (!String(req.headers.accept ?? '').includes('application/json')) return this.violation(res, `${record.method} ${record.path} without Accept: application/json`);
      if (text && body === null) return this.violation(res, `${record.method} ${record.path}: the body is not JSON`);
      this.route(record, res);
    });
  }

  private route(r: RecordedRequest, res: ServerResponse): void {
    let m: RegExpExecArray | null;
    if (r.path === '/version' && r.method === 'GET') return this.send(res, 200, { major: '1', minor: '36', gitVersion: 'v1.36.0-recorded' });
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(r.path))) return this.one(r, res, 'namespaces', '', m[1]);
    if (r.path === '/api/v1/namespaces') {
      if (r.method === 'POST') return this.createNamespace(r, res);
      if (r.method === 'GET') return this.list(res, 'namespaces', null, r.query.labelSelector);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/(secrets|services|persistentvolumeclaims|pods)$/.exec(r.path)) && r.method === 'GET') return this.list(res, m[2], m[1], r.query.labelSelector);
    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/.exec(r.path)) && r.method === 'GET') return this.list(res, 'deployments', m[1], r.query.labelSelector);
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/(secrets|services|persistentvolumeclaims)\/([^/]+)$/.exec(r.path))) return this.one(r, res, m[2], m[1], m[3]);
    if ((m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(r.path))) return this.one(r, res, 'deployments', m[1], m[2]);
    if ((m = /^\/api\/v1\/(secrets|services|persistentvolumeclaims)$/.exec(r.path)) && r.method === 'GET') return this.list(res, m[1], null, r.query.labelSelector);
    if (r.path === '/apis/apps/v1/deployments' && r.method === 'GET') return this.list(res, 'deployments', null, r.query.labelSelector);
    this.violation(res, `unexpected ${r.method} ${r.path}`);
  }

  private createNamespace(r: RecordedRequest, res: ServerResponse): void {
    const name = r.body?.metadata?.name;
    if (r.contentType !== 'application/json' || r.body?.kind !== 'Namespace' || typeof name !== 'string') return this.violation(res, 'a namespace creation without a Namespace body');
    if (this.get('namespaces', '', name)) return this.send(res, 409, status(409, 'AlreadyExists', `namespaces "${name}" already exists`));
    this.seed('namespaces', '', r.body);
    this.send(res, 201, this.get('namespaces', '', name)!);
  }

  private list(res: ServerResponse, resource: string, namespace: string | null, selector: string | undefined): void {
    const items: Obj[] = [];
    for (const [key, object] of this.objects) {
      const [kind, ns] = key.split('/');
      if (kind === resource && (namespace === null || ns === namespace) && matches(object.metadata?.labels, selector)) items.push(this.view(resource, object, false));
    }
    if (resource === 'pods') items.push(...this.pods(namespace, selector));
    this.send(res, 200, { apiVersion: RESOURCES[resource].apiVersion, kind: `${RESOURCES[resource].kind}List`, metadata: {}, items });
  }

  /** The pods a Deployment would have: its replicas, running, ready unless `unhealthy` says otherwise. */
  private pods(namespace: string | null, selector: string | undefined): Obj[] {
    const pods: Obj[] = [];
    for (const [key, d] of this.objects) {
      if (!key.startsWith('deployments/') || (namespace !== null && d.metadata.namespace !== namespace)) continue;
      const labels = d.spec?.template?.metadata?.labels ?? {};
      if (!matches(labels, selector)) continue;
      for (let i = 0; i < (d.spec?.replicas ?? 0); i++) {
        const bad = this.unhealthy && i >= this.unhealthy.available ? this.unhealthy : null;
        pods.push({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${d.metadata.name}-pod-${i}`, namespace: d.metadata.namespace, labels },
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: bad ? 'False' : 'True' }],
            containerStatuses: [
              bad
                ? { name: 'app', image: 'x', imageID: '', ready: false, restartCount: bad.restarts, state: { waiting: { reason: bad.waitingReason } }, lastState: { terminated: { exitCode: 1 } } }
                : { name: 'app', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
            ],
          },
        });
      }
    }
    return pods;
  }

  /** What a GET shows: a Deployment's status lags `rolloutLag` reads behind its last change. */
  private view(resource: string, object: Obj, read: boolean): Obj {
    if (resource !== 'deployments') return object;
    const replicas = object.spec?.replicas ?? 1;
    if (object.pendingReads > 0) {
      if (read) object.pendingReads--;
      return { ...object, pendingReads: undefined, status: { ...object.status, observedGeneration: object.metadata.generation - 1 } };
    }
    const available = this.unhealthy ? Math.min(this.unhealthy.available, replicas) : replicas;
    object.status = { observedGeneration: object.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: available, availableReplicas: available };
    return { ...object, pendingReads: undefined };
  }

  private one(r: RecordedRequest, res: ServerResponse, resource: string, namespace: string, name: string): void {
    const key = `${resource}/${namespace}/${name}`;
    const existing = this.objects.get(key);
    const notFound = (): void => this.send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`));
    if (r.method === 'GET') return existing ? this.send(res, 200, this.view(resource, existing, true)) : notFound();
    if (r.method === 'DELETE') {
      if (!existing) return notFound();
      const uid = r.body?.preconditions?.uid;
      if (uid !== undefined && uid !== existing.metadata.uid) return this.send(res, 409, status(409, 'Conflict', 'Precondition failed: UID in precondition does not match'));
      this.objects.delete(key);
      return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
    }
    if (r.method !== 'PATCH') return this.violation(res, `unexpected ${r.method} ${r.path}`);
    if (this.failNextPatch) {
      const failure = this.failNextPatch;
      this.failNextPatch = null;
      return this.send(res, failure.code as number, failure);
    }
    if (r.contentType === APPLY) return this.apply(r, res, resource, namespace, name, existing);
    if (r.contentType === MERGE) {
      if (r.query.fieldManager !== 'aos' || r.query.force !== undefined) return this.violation(res, `merge patch of ${r.path} with query ${JSON.stringify(r.query)}`);
      if (!existing) return notFound();
      const next = mergePatch(existing, r.body) as Obj;
      if (JSON.stringify(next.spec) !== JSON.stringify(existing.spec)) {
        next.metadata.generation = existing.metadata.generation + 1;
        next.pendingReads = this.rolloutLag;
      }
      this.objects.set(key, next);
      return this.send(res, 200, this.view(resource, next, false));
    }
    this.violation(res, `PATCH ${r.path} with content type ${r.contentType}`);
  }

  private apply(r: RecordedRequest, res: ServerResponse, resource: string, namespace: string, name: string, existing: Obj | undefined): void {
    const body = r.body ?? {};
    const meta = body.metadata ?? {};
    const expected = RESOURCES[resource];
    const problems: string[] = [];
    if (r.query.fieldManager !== 'aos') problems.push('fieldManager is not aos');
    if (r.query.force !== 'true') problems.push('force is not true');
    if (body.apiVersion !== expected.apiVersion || body.kind !== expected.kind) problems.push(`body is ${body.apiVersion} ${body.kind}`);
    if (meta.name !== name || meta.namespace !== namespace) problems.push(`body names ${meta.namespace}/${meta.name}`);
    for (const label of OWNER_LABELS) if (!meta.labels?.[label]) problems.push(`label ${label} missing`);
    if (resource === 'deployments' && !matches(body.spec?.template?.metadata?.labels, Object.entries(body.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(','))) {
      problems.push('the pod template does not carry the selector labels');
    }
    try {
      if (expected.validate) runValidateFunc(expected.validate, body);
    } catch (error) {
      problems.push(`invalid: ${(error as Error).message}`);
    }
    if (!this.get('namespaces', '', namespace)) return this.send(res, 404, status(404, 'NotFound', `namespaces "${namespace}" not found`));
    if (problems.length > 0) return this.violation(res, `apply of ${r.path}: ${problems.join('; ')}`);
    const next: Obj = structuredClone(body);
    next.metadata = { ...meta, uid: existing?.metadata.uid ?? randomUUID(), generation: existing?.metadata.generation ?? 1, ...(existing?.metadata.annotations ? { annotations: { ...existing.metadata.annotations, ...meta.annotations } } : {}) };
    if (resource === 'services') {
      for (const port of next.spec?.ports ?? []) {
        if (next.spec.type !== 'NodePort') continue;
        const before = (existing?.spec?.ports ?? []).find((p: Obj) => p.port === port.port && p.protocol === port.protocol);
        port.nodePort ??= before?.nodePort ?? this.nextNodePort++;
      }
    }
    if (resource === 'deployments') {
      if (existing && JSON.stringify(existing.spec) !== JSON.stringify(next.spec)) next.metadata.generation = existing.metadata.generation + 1;
      next.pendingReads = !existing || next.metadata.generation !== existing.metadata.generation ? this.rolloutLag : 0;
      next.status = existing?.status ?? {};
    }
    this.objects.set(`${resource}/${namespace}/${name}`, next);
    this.send(res, existing ? 200 : 201, this.view(resource, next, false));
  }
}

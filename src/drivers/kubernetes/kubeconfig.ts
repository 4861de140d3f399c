// A tenant's kubeconfig, read strictly: the current context's server and embedded credentials.
// Kubeconfigs that run commands (`exec`, `auth-provider`) or read files on our hosts are refused:
// a tenant's config must not make the service execute or read anything locally.
import { load } from 'js-yaml';
import type { TemplateProblemLike } from '../../domain/errors.js';
import { fieldProblem } from '../registration-problems.js';

export interface KubeAccess {
  server: string;
  caData?: string;
  insecure: boolean;
  token?: string;
  certData?: string;
  keyData?: string;
}

const MAX_KUBECONFIG_BYTES = 256 * 1024;

/** A YAML or JSON mapping as a record; anything else as an empty one. */
export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function named(list: unknown, name: unknown, inner: string): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = list.map(record).find((item) => item.name === name);
  return entry ? record(entry[inner]) : undefined;
}

export function parseKubeconfig(text: string): { access: KubeAccess | null; problems: TemplateProblemLike[] } {
  const fail = (message: string, hint?: string) => ({ access: null, problems: [fieldProblem('kubeconfig', message, hint)] });
  if (Buffer.byteLength(text, 'utf8') > MAX_KUBECONFIG_BYTES) return fail(`the kubeconfig is larger than ${MAX_KUBECONFIG_BYTES} bytes`);
  let doc: Record<string, unknown>;
  try {
    doc = record(load(text));
  } catch {
    return fail('the kubeconfig is not valid YAML');
  }
  const contexts = Array.isArray(doc.contexts) ? doc.contexts.map(record) : [];
  const contextName = typeof doc['current-context'] === 'string' && doc['current-context'] ? doc['current-context'] : contexts[0]?.name;
  const context = named(doc.contexts, contextName, 'context');
  if (!context) return fail('the kubeconfig has no usable context', 'set current-context to one of its contexts');
  const cluster = named(doc.clusters, context.cluster, 'cluster');
  if (!cluster || typeof cluster.server !== 'string') return fail(`the kubeconfig has no cluster "${String(context.cluster)}" with a server`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    return fail(`the cluster server "${cluster.server}" is not a URL`);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') return fail(`the cluster server must be an https:// URL, not ${server.protocol}//`);
  const user = context.user === undefined ? {} : (named(doc.users, context.user, 'user') ?? {});
  for (const [section, fields] of [
    [cluster, ['certificate-authority']],
    [user, ['client-certificate', 'client-key', 'tokenFile', 'exec', 'auth-provider']],
  ] as const) {
    const found = fields.find((field) => section[field] !== undefined && section[field] !== null);
    if (found) return fail(`the kubeconfig uses "${found}", which reads files or runs commands on the service's hosts`, 'embed the credentials: certificate-authority-data, client-certificate-data, client-key-data or token');
  }
  const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
  return {
    access: {
      server: server.toString().replace(/\/$/, ''),
      caData: nonEmpty(cluster['certificate-authority-data']),
      insecure: cluster['insecure-skip-tls-verify'] === true,
      token: nonEmpty(user.token),
      certData: nonEmpty(user['client-certificate-data']),
      keyData: nonEmpty(user['client-key-data']),
    },
    problems: [],
  };
}

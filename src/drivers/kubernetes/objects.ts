// One element's objects on the API server, kind by kind: read, server-side apply, list by labels,
// delete (only what carries the element's labels, with the uid seen as a precondition, so an
// object replaced in between is not deleted). The driver works through this table.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { LABEL_ELEMENT, LABEL_STACK, LABEL_TENANT, PermanentDriverError, type ElementContext } from '../types.js';
import { FIELD_MANAGER, applyOptions, orNull, tolerate, type KubernetesClient } from './client.js';

export interface KubernetesObjectLike {
  metadata?: V1ObjectMeta;
}

export type ObjectKind = 'Secret' | 'PersistentVolumeClaim' | 'Deployment' | 'Service';

export interface KindOperations {
  kind: ObjectKind;
  read(name: string): Promise<KubernetesObjectLike | null>;
  apply(name: string, body: KubernetesObjectLike): Promise<KubernetesObjectLike>;
  list(labelSelector: string): Promise<KubernetesObjectLike[]>;
  /** Deletes the object with this uid; gone already (404) or replaced by another (409: the uid precondition failed) is done. */
  remove(name: string, uid: string | undefined): Promise<void>;
}

/** Whose object it is, from its labels: this element's (tenant, stack and element all match). */
export function ownedByElement(object: KubernetesObjectLike | null | undefined, ctx: Pick<ElementContext, 'tenantId' | 'stackId' | 'element'>): boolean {
  const labels = object?.metadata?.labels;
  return !!labels && labels[LABEL_TENANT] === ctx.tenantId && labels[LABEL_STACK] === ctx.stackId && labels[LABEL_ELEMENT] === ctx.element;
}

/**
 * The name this element needs is taken. Whose the object is stays unsaid: it may be another
 * tenant's, and its labels are not this tenant's to see.
 */
export function collision(kind: ObjectKind, name: string, namespace: string): PermanentDriverError {
  return new PermanentDriverError(
    `a ${kind} named ${name} already exists in namespace ${namespace} and is not this stack's; AOS does not touch objects it does not own — remove or rename that ${kind}`,
    'NAME_COLLISION',
  );
}

export function kindOperations(client: KubernetesClient, namespace: string): Record<ObjectKind, KindOperations> {
  const { core, apps } = client;
  const apply = { fieldManager: FIELD_MANAGER, force: true };
  const deleteOptions = (uid: string | undefined) => ({ propagationPolicy: 'Background', ...(uid ? { body: { preconditions: { uid } } } : {}) });
  return {
    Secret: {
      kind: 'Secret',
      read: (name) => orNull(() => core.readNamespacedSecret({ name, namespace })),
      apply: (name, body) => core.patchNamespacedSecret({ name, namespace, body, ...apply }, applyOptions()),
      list: async (labelSelector) => (await core.listNamespacedSecret({ namespace, labelSelector })).items,
      remove: (name, uid) => tolerate(() => core.deleteNamespacedSecret({ name, namespace, ...deleteOptions(uid) }), [404, 409]),
    },
    PersistentVolumeClaim: {
      kind: 'PersistentVolumeClaim',
      read: (name) => orNull(() => core.readNamespacedPersistentVolumeClaim({ name, namespace })),
      apply: (name, body) => core.patchNamespacedPersistentVolumeClaim({ name, namespace, body, ...apply }, applyOptions()),
      list: async (labelSelector) => (await core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector })).items,
      remove: (name, uid) => tolerate(() => core.deleteNamespacedPersistentVolumeClaim({ name, namespace, ...deleteOptions(uid) }), [404, 409]),
    },
    Deployment: {
      kind: 'Deployment',
      read: (name) => orNull(() => apps.readNamespacedDeployment({ name, namespace })),
      apply: (name, body) => apps.patchNamespacedDeployment({ name, namespace, body, ...apply }, applyOptions()),
      list: async (labelSelector) => (await apps.listNamespacedDeployment({ namespace, labelSelector })).items,
      remove: (name, uid) => tolerate(() => apps.deleteNamespacedDeployment({ name, namespace, ...deleteOptions(uid) }), [404, 409]),
    },
    Service: {
      kind: 'Service',
      read: (name) => orNull(() => core.readNamespacedService({ name, namespace })),
      apply: (name, body) => core.patchNamespacedService({ name, namespace, body, ...apply }, applyOptions()),
      list: async (labelSelector) => (await core.listNamespacedService({ namespace, labelSelector })).items,
      remove: (name, uid) => tolerate(() => core.deleteNamespacedService({ name, namespace, ...deleteOptions(uid) }), [404, 409]),
    },
  };
}

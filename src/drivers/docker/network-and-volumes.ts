// The stack's network (one user-defined bridge per stack, shared by its elements) and the
// element's named volumes (shared by its instances, kept across replacements). Both are found by
// their labels; both are removed only when nothing needs them any more.
import { LABEL_NAMESPACE, LABEL_STACK, LABEL_TENANT, ownerLabels } from '../types.js';
import {
  LABEL_OBJECT,
  collision,
  elementLabelFilter,
  ownedByElement,
  ownedByStack,
  tolerate,
  type ApplicationOnDocker,
} from './application-on-docker.js';
import { statusOf } from './client.js';
import { legacyObjectName } from './names.js';
import type { ApplicationSpec } from '../workload/spec.js';

interface StackNetwork {
  Id: string;
  Name: string;
  Created?: string;
  Labels?: Record<string, string>;
}

/**
 * The stack's networks, found by their labels (so one made under an earlier naming scheme is
 * still the stack's), oldest first.
 */
async function stackNetworks(app: ApplicationOnDocker): Promise<StackNetwork[]> {
  const listed = await app.docker.listNetworks({
    filters: { label: [`${LABEL_TENANT}=${app.ctx.tenantId}`, `${LABEL_STACK}=${app.ctx.stackId}`, `${LABEL_OBJECT}=stack-network`] },
  });
  return listed
    .filter((network) => ownedByStack(network.Labels, app.ctx))
    .sort((a, b) => String(a.Created ?? '').localeCompare(String(b.Created ?? '')) || a.Id.localeCompare(b.Id));
}

/** Whether a network that is not the stack's has the name the stack's network would get. */
async function foreignNetworkNamed(app: ApplicationOnDocker): Promise<boolean> {
  const listed = await app.docker.listNetworks({ filters: { name: [app.networkName] } });
  return listed.some((network) => network.Name === app.networkName && !ownedByStack(network.Labels, app.ctx));
}

/** Makes the stack's network when it has none and records its id on `app`. */
export async function ensureNetwork(app: ApplicationOnDocker): Promise<void> {
  let networks = await stackNetworks(app);
  if (networks.length === 0) {
    if (await foreignNetworkNamed(app)) throw collision('network', app.networkName);
    await app.docker.createNetwork({
      Name: app.networkName,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { [LABEL_TENANT]: app.ctx.tenantId, [LABEL_STACK]: app.ctx.stackId, [LABEL_NAMESPACE]: app.ctx.namespace, [LABEL_OBJECT]: 'stack-network' },
    });
    app.ctx.log(`created network ${app.networkName}`);
    networks = await stackNetworks(app);
  }
  const [canonical, ...twins] = networks;
  if (!canonical) throw new Error(`network ${app.networkName} was created but is not listed by the engine`);
  // This engine does not refuse a second network of the same name, so elements of one stack
  // created at the same moment can each make one. Every creator sees its own network and all
  // older ones, so all agree on the oldest; the others go.
  for (const twin of twins) {
    await app.docker
      .getNetwork(twin.Id)
      .remove()
      .catch(() => undefined);
  }
  app.networkId = canonical.Id;
}

/**
 * The stack's network goes with the last container attached to it. A network's own list of
 * containers shows running ones only; the list filter sees stopped ones too (an element of the
 * stack that is stopped still needs the network to start again).
 */
export async function removeUnusedStackNetworks(app: ApplicationOnDocker): Promise<void> {
  for (const network of await stackNetworks(app)) {
    const attached = await app.docker.listContainers({ all: true, filters: { network: [network.Id] } });
    if (attached.length > 0) continue;
    try {
      await app.docker.getNetwork(network.Id).remove();
      app.ctx.log(`removed network ${network.Name}`);
    } catch (error) {
      // 409: another element attached a container meanwhile; it stays for that one.
      if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
    }
  }
}

async function labelsOfVolume(app: ApplicationOnDocker, name: string): Promise<Record<string, string> | null> {
  try {
    const info = await app.docker.getVolume(name).inspect();
    return info.Labels ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Volumes this element made before names carried the tenant tag keep their data: use them. */
export async function resolveVolumeNames(app: ApplicationOnDocker, spec: ApplicationSpec): Promise<void> {
  for (const volume of spec.volumes) {
    const legacy = legacyObjectName(app.ctx, `vol-${volume.name}`);
    if (ownedByElement(await labelsOfVolume(app, legacy), app.ctx)) app.volumeNames.set(volume.name, legacy);
  }
}

export async function assertVolumesUsable(app: ApplicationOnDocker, spec: ApplicationSpec): Promise<void> {
  for (const volume of spec.volumes) {
    const labels = await labelsOfVolume(app, app.volumeName(volume.name));
    if (labels !== null && !ownedByElement(labels, app.ctx)) throw collision('volume', app.volumeName(volume.name));
  }
}

export async function ensureVolumes(app: ApplicationOnDocker, spec: ApplicationSpec): Promise<void> {
  for (const volume of spec.volumes) {
    const name = app.volumeName(volume.name);
    if ((await labelsOfVolume(app, name)) !== null) continue;
    // Creating an existing volume answers 201 as well, so a race needs no special case.
    await app.docker.createVolume({ Name: name, Labels: { ...ownerLabels(app.ctx), [LABEL_OBJECT]: 'volume' } });
    app.ctx.log(`created volume ${name}`);
  }
}

/** Every volume of the element, whatever name it was made under. */
export async function removeElementVolumes(app: ApplicationOnDocker): Promise<void> {
  const volumes = await app.docker.listVolumes({ filters: elementLabelFilter(app.ctx) });
  for (const volume of volumes.Volumes ?? []) {
    await tolerate(() => app.docker.getVolume(volume.Name).remove(), [404]);
    app.ctx.log(`removed volume ${volume.Name}`);
  }
}

// The element state the driver reports (Service, instances, endpoints, containers), and what
// start, stop and health read back from it, since they get no properties to rebuild from.
import type { ElementState } from '../types.js';
import { LABEL_HOST_PORT_PREFIX, NEXT_SUFFIX, type ApplicationOnDocker } from './application-on-docker.js';
import { portKey } from './port-plan.js';
import { dialAddress } from './probe.js';
import { textOfValue, type ApplicationSpec, type ServicePort } from '../workload/spec.js';

function protocolLabel(protocol: 'tcp' | 'udp'): 'TCP' | 'UDP' {
  return protocol === 'tcp' ? 'TCP' : 'UDP';
}

/**
 * The state from the containers as they are. `Service.ports[i].nodePort` is instance 0's host
 * port; `endpoints` lists every instance's (NodePort) or in-network name (ClusterIP).
 */
export async function stateOf(
  app: ApplicationOnDocker,
  spec: Pick<ApplicationSpec, 'serviceType' | 'servicePorts'>,
  instances: number,
  extra: Record<string, unknown> = {},
): Promise<ElementState> {
  const containers = (await app.listContainers()).filter((c) => !c.name.endsWith(NEXT_SUFFIX) && c.index < instances);
  const host = dialAddress(app.publishAddress);
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
    physicalId: app.baseName,
    attributes: {
      Service: { type: spec.serviceType, ports },
      instances,
      endpoints,
      containers: containers.map((c) => c.name),
      ...extra,
    },
  };
}

/** The service shape recorded in the state, for start/stop/health that get no properties. */
export function serviceOfState(state: ElementState): Pick<ApplicationSpec, 'serviceType' | 'servicePorts'> {
  const service = state.attributes.Service as { type?: unknown; ports?: { port?: unknown; targetPort?: unknown; protocol?: unknown; nodePort?: unknown }[] } | undefined;
  const servicePorts: ServicePort[] = (service?.ports ?? [])
    .filter((p) => typeof p.port === 'number')
    .map((p) => ({
      port: p.port as number,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : (p.port as number),
      protocol: textOfValue(p.protocol ?? 'tcp').toLowerCase() === 'udp' ? 'udp' : 'tcp',
      nodePort: typeof p.nodePort === 'number' ? p.nodePort : undefined,
    }));
  return { serviceType: service?.type === 'NodePort' ? 'NodePort' : 'ClusterIP', servicePorts };
}

export function instancesOfState(state: ElementState | null, fallback: number): number {
  const n = state?.attributes.instances;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

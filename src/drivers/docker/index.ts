// The Docker drivers and cluster-level helpers, as the engine and the worker import them.
export { containerComponentDriver } from './container-component.js';
export { statelessApplicationDriver } from './stateless-application.js';
export {
  DOCKER_HEALTH_TIMEOUT_MS,
  MAX_ENGINE_ANSWER_BYTES,
  dockerClient,
  dockerClusterHealth,
  listOwnedObjects,
  parseDockerEndpoint,
} from './client.js';
export { dockerObjectName, tenantTag } from './names.js';
export { nodePortRange } from './ports.js';
export { parseApplicationSpec } from './spec.js';

import type { ElementDriver } from '../types.js';
import { containerComponentDriver } from './container-component.js';
import { statelessApplicationDriver } from './stateless-application.js';

/** The element types deployed on a DOCKER cluster. */
export const dockerDrivers: readonly ElementDriver[] = [statelessApplicationDriver, containerComponentDriver];

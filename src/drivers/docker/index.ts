// The Docker provider and what tests and tools use of the driver's parts.
export { dockerClient, MAX_ENGINE_ANSWER_BYTES } from './client.js';
export { createDockerProvider } from './cluster.js';
export { containerComponentDriver } from '../workload/container-component.js';
export { parseDockerEndpoint } from './endpoint.js';
export { dockerObjectName, tenantTag } from './names.js';
export { nodePortRange } from './ports.js';
export { DEFAULT_DOCKER_SETTINGS, type DockerSettings } from './settings.js';
export { parseApplicationSpec } from '../workload/spec.js';

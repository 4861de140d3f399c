import type { NodeTypeDef } from './registry.js';

export const statelessApplication: NodeTypeDef = {
  name: 'CTC.ServiceStage.StatelessApplication',
  description:
    'A workload of N identical instances on the stack\'s cluster (Docker: N labelled containers; Kubernetes: a Deployment and a Service), built from the ContainerComponent it requires as `package`.',
  properties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: { enum: ['container'], default: 'container', description: 'Workload kind; only `container` exists today.' },
      instances: { type: 'integer', minimum: 0, maximum: 100, default: 1, description: 'Number of running instances; 0 keeps the application defined but not running.' },
      exclusive: {
        enum: ['default', 'exclusive', true, false],
        default: 'default',
        description: '`default` lets instances share hosts; `exclusive` (or true) spreads instances over distinct hosts where the cluster can.',
      },
      restartPolicy: { enum: ['Always', 'OnFailure', 'Never'], default: 'Always', description: 'What the runtime does when an instance exits.' },
      stopGracePeriodSeconds: {
        type: 'integer',
        minimum: 0,
        maximum: 300,
        description:
          'Seconds an instance gets to exit after SIGTERM before it is killed (stop, delete, scale-in, replacement). Unset: the default registered with the cluster (`aos cluster register --stop-grace-period`), else on Docker the platform\'s AOS_DOCKER_STOP_TIMEOUT_SECONDS (10), on Kubernetes its own (30). Changing it replaces the instances.',
      },
      healthCheck: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'port'],
        description: 'How instance health is probed (without it, a running instance counts as healthy).',
        properties: {
          type: { enum: ['tcp', 'http'], description: '`tcp` connects to the port; `http` expects a 2xx/3xx answer.' },
          port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Container port to probe.' },
          path: { type: 'string', pattern: '^/', default: '/', description: 'HTTP path (http only).' },
        },
      },
    },
  },
  attributes: {
    Service: {
      type: 'object',
      description: 'The published service: `ports[i]` has `protocol`, `port`, `targetPort` and `nodePort` (the port reachable on the cluster\'s publish address).',
    },
    instances: { type: 'integer', description: 'Instances running now.' },
    endpoints: { type: 'array', description: 'Reachable addresses as `host:port` strings.' },
  },
  requirements: {
    package: {
      description: 'The container spec (image, command, env, secrets, volumes, ports, serviceSpec).',
      nodeType: 'CTC.ServiceStage.ContainerComponent',
      required: true,
    },
  },
  replaceOnChange: ['type'],
  deployable: true,
};

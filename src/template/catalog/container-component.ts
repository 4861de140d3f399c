import type { NodeTypeDef } from './registry.js';

const nameValue = (valueSchema: Record<string, unknown>) => ({
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'value'],
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$', description: 'Environment variable name.' },
      value: valueSchema,
    },
  },
});

const port = { type: 'integer', minimum: 1, maximum: 65535 };

export const containerComponent: NodeTypeDef = {
  name: 'CTC.ServiceStage.ContainerComponent',
  description:
    'The container spec of the application that requires it. Not deployed on its own: a change to it is rolled out by that application (instances replaced one at a time).',
  properties: {
    type: 'object',
    additionalProperties: false,
    required: ['package'],
    properties: {
      package: {
        type: 'object',
        additionalProperties: false,
        required: ['image'],
        description: 'What to run.',
        properties: {
          image: { type: 'string', minLength: 1, description: 'Image reference, e.g. `registry:5000/team/nginx:1.27`.' },
          command: { type: 'array', items: { type: 'string' }, description: 'Overrides the image\'s command.' },
          env: { ...nameValue({ type: ['string', 'number', 'boolean'], description: 'Value (numbers and booleans are passed as text).' }), description: 'Environment variables `{name, value}`.' },
          secrets: { ...nameValue({ type: 'string', writeOnly: true, description: 'Secret value, masked wherever shown.' }), description: 'Secret environment variables `{name, value}`; values are masked.' },
          volumes: {
            type: 'array',
            description: 'Volumes `{name, mountPath}`, kept for the life of the stack.',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'mountPath'],
              properties: {
                name: { type: 'string', pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$', maxLength: 63 },
                mountPath: { type: 'string', pattern: '^/' },
                readOnly: { type: 'boolean', default: false },
              },
            },
          },
          ports: {
            type: 'array',
            description: 'Ports the container listens on `{containerPort, protocol?}`.',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['containerPort'],
              properties: { containerPort: port, protocol: { enum: ['TCP', 'UDP'], default: 'TCP' } },
            },
          },
          serviceSpec: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'ports'],
            description: 'How the application is exposed: `NodePort` publishes each port on the cluster\'s publish address.',
            properties: {
              type: { enum: ['NodePort', 'ClusterIP'] },
              ports: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['port'],
                  properties: {
                    protocol: { enum: ['TCP', 'UDP'], default: 'TCP' },
                    port,
                    targetPort: { ...port, description: 'Container port (defaults to `port`).' },
                    nodePort: { ...port, description: 'Published port (chosen by the cluster when absent).' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  attributes: {},
  replaceOnChange: [],
  deployable: false,
};

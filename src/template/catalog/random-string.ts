import type { NodeTypeDef } from './registry.js';

/** Named character sets; any other `characters` value is itself the set to draw from. */
export const RANDOM_STRING_CHARACTER_SETS: Record<string, string> = {
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  numeric: '0123456789',
  hex: '0123456789abcdef',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
};

export const randomString: NodeTypeDef = {
  name: 'CTC.Core.RandomString',
  description: 'A random string generated once and kept with the stack (e.g. a database password); read it with `get_attribute: [name, value]`.',
  properties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      length: { type: 'integer', minimum: 1, maximum: 4096, default: 32, description: 'Number of characters.' },
      characters: {
        type: 'string',
        minLength: 1,
        maxLength: 1024,
        default: 'alphanumeric',
        description: '`alphanumeric`, `alpha`, `numeric`, `hex`, `base64url`, or the literal set of characters to draw from.',
      },
    },
  },
  attributes: {
    value: { type: 'string', secret: true, description: 'The generated string (masked).' },
  },
  replaceOnChange: ['length', 'characters'],
  deployable: true,
};

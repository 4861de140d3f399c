// The JSON Schema of a template's sections, and the ajv validators: one for the document's
// structure, one per node type for its properties (compiled once, kept with the type).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { NodeTypeDef } from './catalog/index.js';

export const TOSCA_VERSION = 'ctc_tosca_version_1_0';

export const documentSchema = {
  type: 'object',
  required: ['tosca_definitions_version', 'node_templates'],
  additionalProperties: false,
  properties: {
    tosca_definitions_version: { const: TOSCA_VERSION },
    description: { type: 'string' },
    metadata: { type: ['object', 'null'] },
    inputs: {
      type: ['object', 'null'],
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string' },
          description: { type: 'string' },
          label: { type: 'string' },
          default: {},
          required: { type: 'boolean' },
          immutable: { type: 'boolean' },
          constraints: { type: 'array' },
          entry_schema: {
            type: 'object',
            required: ['type'],
            additionalProperties: false,
            properties: { type: { type: 'string' }, description: { type: 'string' } },
          },
        },
      },
    },
    node_templates: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: { type: 'string' },
          description: { type: 'string' },
          metadata: { type: ['object', 'null'] },
          properties: { type: ['object', 'null'] },
          requirements: { type: ['array', 'null'] },
        },
      },
    },
    outputs: {
      type: ['object', 'null'],
      additionalProperties: {
        type: 'object',
        required: ['value'],
        additionalProperties: false,
        properties: { value: {}, description: { type: 'string' } },
      },
    },
  },
};

let ajvInstance: Ajv | undefined;
let documentValidator: ValidateFunction | undefined;
const propertyValidators = new WeakMap<NodeTypeDef, ValidateFunction | Error>();

function ajv(): Ajv {
  if (ajvInstance === undefined) {
    // strict: false: registered types (from tests or plugins) may carry annotation keywords ajv does not know.
    // No `verbose`: it hands every error its whole parent value; what a message needs is looked up
    // (only for the problems that need it) from the instance and schema paths instead.
    ajvInstance = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajvInstance);
  }
  return ajvInstance;
}

export function validateDocumentStructure(doc: unknown): ErrorObject[] {
  documentValidator ??= ajv().compile(documentSchema);
  return documentValidator(doc) ? [] : [...(documentValidator.errors ?? [])];
}

/** The compiled property validator of a node type, or the reason its schema does not compile. */
export function propertyValidatorOf(def: NodeTypeDef): ValidateFunction | Error {
  let validator = propertyValidators.get(def);
  if (validator === undefined) {
    try {
      validator = ajv().compile(def.properties);
    } catch (error) {
      validator = error instanceof Error ? error : new Error(String(error));
    }
    propertyValidators.set(def, validator);
  }
  return validator;
}

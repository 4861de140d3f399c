import { afterEach, describe, expect, it } from 'vitest';
import {
  analyzeTemplate,
  getNodeType,
  listNodeTypes,
  registerNodeType,
  resolveTemplate,
  unregisterNodeType,
  type NodeTypeDef,
} from '../../../src/template/index.js';
import { HEAD } from './fixtures.js';

const faultInjection: NodeTypeDef = {
  name: 'Test.Fault.Injector',
  description: 'Fails on purpose, for lifecycle tests.',
  properties: {
    type: 'object',
    additionalProperties: false,
    required: ['failOn'],
    properties: {
      failOn: { enum: ['create', 'delete', 'never'] },
      delaySeconds: { type: 'integer', minimum: 0, default: 0 },
      'x-note': { type: 'string' },
    },
    'x-custom-annotation': true,
  },
  attributes: { attempts: { type: 'integer', description: 'How many times create ran.' } },
  replaceOnChange: ['failOn'],
  deployable: true,
};

afterEach(() => {
  unregisterNodeType(faultInjection.name);
  unregisterNodeType('Test.Broken.Schema');
});

describe('the node type catalog', () => {
  it('holds the first set of types, sorted by name', () => {
    expect(listNodeTypes().map((def) => def.name)).toEqual([
      'CTC.Core.RandomString',
      'CTC.RDS.PostgreSQL',
      'CTC.ServiceStage.ContainerComponent',
      'CTC.ServiceStage.StatelessApplication',
    ]);
    expect(getNodeType('CTC.ServiceStage.ContainerComponent')?.deployable).toBe(false);
    expect(getNodeType('CTC.RDS.PostgreSQL')?.attributes.password.secret).toBe(true);
    expect(getNodeType('CTC.ServiceStage.StatelessApplication')?.requirements?.package.nodeType).toBe('CTC.ServiceStage.ContainerComponent');
  });

  it('registers types at runtime and validates templates against them', () => {
    const template = (failOn: string) =>
      [HEAD, 'node_templates:', '  fault:', '    type: Test.Fault.Injector', `    properties: {failOn: ${failOn}}`, 'outputs:', '  attempts: {value: {get_attribute: [fault, attempts]}}'].join('\n');
    expect(analyzeTemplate(template('create')).problems).toMatchObject([{ code: 'UNKNOWN_TYPE' }]);
    registerNodeType(faultInjection);
    expect(getNodeType('Test.Fault.Injector')).toBe(faultInjection);
    const analysis = analyzeTemplate(template('create'));
    expect(analysis.problems).toEqual([]);
    expect(resolveTemplate(analysis.doc!, {}).resolved?.nodes.fault.properties).toEqual({ failOn: 'create', delaySeconds: 0 });
    expect(analyzeTemplate(template('creat')).problems).toMatchObject([{ code: 'INVALID_PROPERTY', path: 'node_templates.fault.properties.failOn', line: 5, hint: 'did you mean "create"?' }]);
  });

  it('replaces a type registered again under the same name', () => {
    registerNodeType(faultInjection);
    const relaxed = { ...faultInjection, properties: { type: 'object' } };
    registerNodeType(relaxed);
    expect(getNodeType(faultInjection.name)).toBe(relaxed);
    const text = [HEAD, 'node_templates:', '  fault: {type: Test.Fault.Injector, properties: {anything: 1}}'].join('\n');
    expect(analyzeTemplate(text).problems).toEqual([]);
  });

  it('refuses malformed definitions', () => {
    expect(() => registerNodeType({ ...faultInjection, name: 'nodots' })).toThrow(/dotted/);
    expect(() => registerNodeType({ ...faultInjection, properties: { type: 'array' } })).toThrow(/type "object"/);
  });

  it('turns a schema that does not compile into a problem instead of an exception', () => {
    registerNodeType({ ...faultInjection, name: 'Test.Broken.Schema', properties: { type: 'object', properties: { a: { type: 'no-such-type' } } } });
    const text = [HEAD, 'node_templates:', '  broken: {type: Test.Broken.Schema}'].join('\n');
    expect(analyzeTemplate(text).problems).toMatchObject([{ code: 'INVALID_PROPERTY', path: 'node_templates.broken.properties' }]);
  });
});

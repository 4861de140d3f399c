// Which waves of element steps an action takes (step-planning's actionSteps, deleteSteps and
// rollbackTargetOf, the pure part of beginStackAction), over random acyclic templates: every
// element once, each after what it depends on (install, start) or before it (stop, delete).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ElementStep } from '../../../src/domain/lifecycle.js';
import { STACK_STATUSES } from '../../../src/domain/stack-state.js';
import type { ResolvedTemplate } from '../../../src/template/index.js';
import { actionSteps, deleteSteps, rollbackTargetOf, updateSteps } from '../../../src/temporal/worker/activities/step-planning.js';
import { nodeSeeds, templateOf, templatesOf, updates } from './template-generators.js';

const templates = nodeSeeds.map((seeds) => templateOf(seeds, () => true));
const waveOf = (waves: ElementStep[][]): Map<string, number> => new Map(waves.flatMap((wave, index) => wave.map((step) => [step.element, index] as const)));
const elementsOf = (waves: ElementStep[][]): string[] => waves.flat().map((step) => step.element).sort();

/** Every element of `template` once, with `op` from `source`, and no empty wave. */
function expectOnePerElement(waves: ElementStep[][], template: ResolvedTemplate, op: ElementStep['op']): void {
  expect(elementsOf(waves)).toEqual(Object.keys(template.nodes).sort());
  expect(waves.every((wave) => wave.length > 0)).toBe(true);
  expect(waves.flat().every((step) => step.op === op && step.source === 'current')).toBe(true);
}

describe('actionSteps', () => {
  it('INSTALL and START: every element, after the elements it depends on', () => {
    fc.assert(
      fc.property(templates, fc.constantFrom('INSTALL' as const, 'START' as const), (template, action) => {
        const waves = actionSteps(action, template, null);
        expectOnePerElement(waves, template, action === 'INSTALL' ? 'CREATE' : 'START');
        const wave = waveOf(waves);
        for (const [name, node] of Object.entries(template.nodes)) {
          for (const dependency of node.dependencies) expect(wave.get(dependency)).toBeLessThan(wave.get(name) as number);
        }
      }),
    );
  });

  it('STOP and the ROLLBACK of an install: every element, before the elements it depends on', () => {
    fc.assert(
      fc.property(templates, fc.constantFrom('STOP' as const, 'ROLLBACK' as const), (template, action) => {
        const waves = actionSteps(action, template, null, action === 'ROLLBACK' ? 'INSTALL' : null);
        expectOnePerElement(waves, template, action === 'STOP' ? 'STOP' : 'DELETE');
        const wave = waveOf(waves);
        for (const [name, node] of Object.entries(template.nodes)) {
          for (const dependency of node.dependencies) expect(wave.get(dependency)).toBeGreaterThan(wave.get(name) as number);
        }
      }),
    );
  });

  it('UPDATE goes from current to pending; the ROLLBACK of an update from pending back to current', () => {
    fc.assert(
      fc.property(updates, (update) => {
        const { from: current, to: pending } = templatesOf(update);
        expect(actionSteps('UPDATE', current, pending)).toEqual(updateSteps(current, pending, 'pending'));
        expect(actionSteps('ROLLBACK', current, pending, 'UPDATE')).toEqual(updateSteps(pending, current, 'current'));
      }),
    );
  });

  it('a two-element chain, spelled out', () => {
    const chain: ResolvedTemplate = {
      nodes: {
        db: { type: 'T', properties: {}, requirements: {}, dependencies: [] },
        web: { type: 'T', properties: {}, requirements: { db: 'db' }, dependencies: ['db'] },
      },
      outputs: {},
      inputs: {},
    };
    expect(actionSteps('INSTALL', chain, null)).toEqual([[{ element: 'db', op: 'CREATE', source: 'current' }], [{ element: 'web', op: 'CREATE', source: 'current' }]]);
    expect(actionSteps('STOP', chain, null)).toEqual([[{ element: 'web', op: 'STOP', source: 'current' }], [{ element: 'db', op: 'STOP', source: 'current' }]]);
    // A rollback with no target given undoes an install.
    expect(actionSteps('ROLLBACK', chain, chain)).toEqual([[{ element: 'web', op: 'DELETE', source: 'current' }], [{ element: 'db', op: 'DELETE', source: 'current' }]]);
  });

  it("an UPDATE, or the rollback of one, without the pending template is a programming error", () => {
    const empty: ResolvedTemplate = { nodes: {}, outputs: {}, inputs: {} };
    expect(() => actionSteps('UPDATE', empty, null)).toThrow(/pending/);
    expect(() => actionSteps('ROLLBACK', empty, null, 'UPDATE')).toThrow(/pending/);
  });
});

describe('deleteSteps', () => {
  it("a template that no longer resolves: every row's element in one wave", () => {
    expect(deleteSteps(null, ['b', 'a'])).toEqual([[{ element: 'b', op: 'DELETE', source: 'current' }, { element: 'a', op: 'DELETE', source: 'current' }]]);
    expect(deleteSteps(null, [])).toEqual([]);
  });

  it("rows the template does not plan go first, then the template's delete order; each element once", () => {
    fc.assert(
      fc.property(templates, fc.array(fc.stringMatching(/^stray-[a-z]{1,3}$/), { maxLength: 4 }), fc.boolean(), (template, strays, withRows) => {
        const planned = Object.keys(template.nodes);
        const rows = [...new Set([...(withRows ? planned : []), ...strays])];
        const waves = deleteSteps(template, rows);
        const uniqueStrays = [...new Set(strays)];
        expect(elementsOf(waves)).toEqual([...new Set([...planned, ...uniqueStrays])].sort());
        expect(waves.flat().every((step) => step.op === 'DELETE' && step.source === 'current')).toBe(true);
        if (uniqueStrays.length) expect(waves[0].map((step) => step.element)).toEqual(uniqueStrays);
        expect(waves.slice(uniqueStrays.length ? 1 : 0)).toEqual(actionSteps('ROLLBACK', template, null, 'INSTALL'));
      }),
    );
  });
});

describe('rollbackTargetOf', () => {
  it('undoes an update only when the stack failed it (ABNORMAL) and still holds it pending', () => {
    for (const status of [...STACK_STATUSES, null]) {
      for (const pending of [false, true]) expect(rollbackTargetOf(status, pending)).toBe(status === 'ABNORMAL' && pending ? 'UPDATE' : 'INSTALL');
    }
    expect(rollbackTargetOf('ABNORMAL', true)).toBe('UPDATE');
    expect(rollbackTargetOf('ABNORMAL', false)).toBe('INSTALL');
    expect(rollbackTargetOf('NORMAL', true)).toBe('INSTALL');
  });
});

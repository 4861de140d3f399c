// What an UPDATE's step plan is built from, over random templates: the diff names every element
// once with the right kind, and the install waves of the new template (ADD, MODIFY, REPLACE) and
// the delete waves of the old one (DELETE) give each change exactly one place, after everything it
// depends on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffTemplates, planTemplate, type DiffTypeInfo } from '../../../src/template/index.js';
import { nodeSeeds, templateOf, templatesOf, updates, type NodeSeed } from './template-generators.js';

/** Type information of the test's two made-up types: `size` forces a replacement. */
const typeInfo = (): DiffTypeInfo => ({ replaceOnChange: ['size'], deployable: true });

describe('update planning (diff + waves)', () => {
  it('names every element of either template once, with ADD and DELETE exactly for the added and removed', () => {
    fc.assert(
      fc.property(updates, (update) => {
        const { from, to } = templatesOf(update);
        const changes = diffTemplates(from, to, { typeInfo });
        const names = changes.map((change) => change.element);
        expect(new Set(names).size).toBe(names.length);
        expect([...names].sort()).toEqual([...new Set([...Object.keys(from.nodes), ...Object.keys(to.nodes)])].sort());
        for (const change of changes) {
          const before = from.nodes[change.element];
          const after = to.nodes[change.element];
          expect(change.change === 'ADD').toBe(before === undefined);
          expect(change.change === 'DELETE').toBe(after === undefined);
          if (before && after && before.type !== after.type) expect(change.change).toBe('REPLACE');
          if (before && after && before.properties.size !== after.properties.size) expect(change.change).toBe('REPLACE');
          const sameKind = before && after && before.type === after.type && before.properties.size === after.properties.size;
          if (sameKind && (before.properties.label !== after.properties.label || JSON.stringify(before.requirements) !== JSON.stringify(after.requirements))) {
            expect(change.change).toBe('MODIFY');
          }
          if (change.change === 'NO_CHANGE') expect(after).toEqual(before);
        }
      }),
    );
  });

  it('gives every change one place: new elements in the new install waves after their dependencies, removed ones in the old delete waves', () => {
    fc.assert(
      fc.property(updates, (update) => {
        const { from, to } = templatesOf(update);
        const changes = diffTemplates(from, to, { typeInfo });
        const forward = planTemplate(to).waves;
        const backward = planTemplate(from).deleteWaves;
        const waveOf = (waves: string[][], element: string): number[] => waves.flatMap((wave, index) => (wave.includes(element) ? [index] : []));
        for (const change of changes) {
          if (change.change === 'DELETE') {
            expect(waveOf(backward, change.element)).toHaveLength(1);
            // Deleted before what it depended on: its dependencies come in later delete waves.
            const at = waveOf(backward, change.element)[0];
            for (const dependency of from.nodes[change.element].dependencies) expect(waveOf(backward, dependency)[0]).toBeGreaterThan(at);
            continue;
          }
          expect(waveOf(forward, change.element)).toHaveLength(1);
          const at = waveOf(forward, change.element)[0];
          for (const dependency of to.nodes[change.element].dependencies) expect(waveOf(forward, dependency)[0]).toBeLessThan(at);
        }
      }),
    );
  });

  it('an unchanged template plans no change at all', () => {
    fc.assert(
      fc.property(nodeSeeds, (seeds) => {
        const template = templateOf(seeds, () => true);
        expect(diffTemplates(template, structuredClone(template), { typeInfo }).every((change) => change.change === 'NO_CHANGE')).toBe(true);
      }),
    );
  });

  it('a changed dependency alone does not change its dependants (no get_attribute between them)', () => {
    const seeds: NodeSeed[] = [
      { type: 'A', size: 0, label: 0, needs: [] },
      { type: 'A', size: 0, label: 0, needs: [0] },
    ];
    const from = templateOf(seeds, () => true);
    const to = templateOf([{ ...seeds[0], size: 1 }, seeds[1]], () => true);
    expect(diffTemplates(from, to, { typeInfo }).map((change) => [change.element, change.change])).toEqual([
      ['n0', 'REPLACE'],
      ['n1', 'NO_CHANGE'],
    ]);
  });
});

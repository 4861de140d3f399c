// What an UPDATE's step plan is built from, over random templates: the diff names every element
// once with the right kind, and the install waves of the new template (ADD, MODIFY, REPLACE) and
// the delete waves of the old one (DELETE) give each change exactly one place, after everything it
// depends on. The activity that turns these into element steps (`updateSteps`, private to the stack
// activities) adds only the mapping ADD→CREATE, MODIFY→UPDATE, REPLACE→REPLACE, DELETE→DELETE.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffTemplates, planTemplate, type DiffTypeInfo, type ResolvedNode, type ResolvedTemplate } from '../../../src/template/index.js';

/** Type information of the test's two made-up types: `size` forces a replacement. */
const typeInfo = (): DiffTypeInfo => ({ replaceOnChange: ['size'], deployable: true });

interface NodeSeed {
  type: 'A' | 'B';
  size: number;
  label: number;
  /** Indexes of earlier nodes this one requires: the graph is acyclic by construction. */
  needs: number[];
}

const nodeSeeds = fc.array(
  fc.record({ type: fc.constantFrom<'A' | 'B'>('A', 'B'), size: fc.nat({ max: 2 }), label: fc.nat({ max: 2 }), needs: fc.array(fc.nat(), { maxLength: 3 }) }),
  { minLength: 1, maxLength: 12 },
);

/** A resolved template of the seeds whose index `keep` accepts; requirements to dropped nodes go too. */
function templateOf(seeds: NodeSeed[], keep: (index: number) => boolean): ResolvedTemplate {
  const nodes: Record<string, ResolvedNode> = {};
  seeds.forEach((seed, index) => {
    if (!keep(index)) return;
    const requirements: Record<string, string> = {};
    for (const need of seed.needs) {
      if (index === 0) break;
      const target = need % index;
      if (keep(target)) requirements[`dependency_${target}`] = `n${target}`;
    }
    nodes[`n${index}`] = { type: `Test.${seed.type}`, properties: { size: seed.size, label: seed.label }, requirements, dependencies: [...new Set(Object.values(requirements))].sort() };
  });
  return { nodes, outputs: {}, inputs: {} };
}

/** Two versions of one template: some nodes only in one of them, some with other properties or type. */
const updates = nodeSeeds.chain((seeds) =>
  fc.record({
    seeds: fc.constant(seeds),
    changed: fc.array(fc.record({ type: fc.constantFrom<'A' | 'B'>('A', 'B'), size: fc.nat({ max: 2 }), label: fc.nat({ max: 2 }) }), { minLength: seeds.length, maxLength: seeds.length }),
    inOld: fc.array(fc.boolean(), { minLength: seeds.length, maxLength: seeds.length }),
    inNew: fc.array(fc.boolean(), { minLength: seeds.length, maxLength: seeds.length }),
    touched: fc.array(fc.boolean(), { minLength: seeds.length, maxLength: seeds.length }),
  }),
);

describe('update planning (diff + waves)', () => {
  it('names every element of either template once, with ADD and DELETE exactly for the added and removed', () => {
    fc.assert(
      fc.property(updates, ({ seeds, changed, inOld, inNew, touched }) => {
        const from = templateOf(seeds, (i) => inOld[i]);
        const to = templateOf(
          seeds.map((seed, i) => (touched[i] ? { ...seed, ...changed[i] } : seed)),
          (i) => inNew[i],
        );
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
      fc.property(updates, ({ seeds, changed, inOld, inNew, touched }) => {
        const from = templateOf(seeds, (i) => inOld[i]);
        const to = templateOf(
          seeds.map((seed, i) => (touched[i] ? { ...seed, ...changed[i] } : seed)),
          (i) => inNew[i],
        );
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

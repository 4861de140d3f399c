// Random acyclic resolved templates and updates of them, for the update-planning properties.
import fc from 'fast-check';
import type { ResolvedNode, ResolvedTemplate } from '../../../src/template/index.js';

export interface NodeSeed {
  type: 'A' | 'B';
  size: number;
  label: number;
  /** Indexes of earlier nodes this one requires: the graph is acyclic by construction. */
  needs: number[];
}

export const nodeSeeds = fc.array(
  fc.record({ type: fc.constantFrom<'A' | 'B'>('A', 'B'), size: fc.nat({ max: 2 }), label: fc.nat({ max: 2 }), needs: fc.array(fc.nat(), { maxLength: 3 }) }),
  { minLength: 1, maxLength: 12 },
);

/** A resolved template of the seeds whose index `keep` accepts; requirements to dropped nodes go too. */
export function templateOf(seeds: NodeSeed[], keep: (index: number) => boolean): ResolvedTemplate {
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
export const updates = nodeSeeds.chain((seeds) =>
  fc.record({
    seeds: fc.constant(seeds),
    changed: fc.array(fc.record({ type: fc.constantFrom<'A' | 'B'>('A', 'B'), size: fc.nat({ max: 2 }), label: fc.nat({ max: 2 }) }), { minLength: seeds.length, maxLength: seeds.length }),
    inOld: fc.array(fc.boolean(), { minLength: seeds.length, maxLength: seeds.length }),
    inNew: fc.array(fc.boolean(), { minLength: seeds.length, maxLength: seeds.length }),
    touched: fc.array(fc.boolean(), { minLength: seeds.length, maxLength: seeds.length }),
  }),
);

/** The old and the new template of one generated update. */
export function templatesOf(update: { seeds: NodeSeed[]; changed: Array<Omit<NodeSeed, 'needs'>>; inOld: boolean[]; inNew: boolean[]; touched: boolean[] }): { from: ResolvedTemplate; to: ResolvedTemplate } {
  const { seeds, changed, inOld, inNew, touched } = update;
  return {
    from: templateOf(seeds, (i) => inOld[i]),
    to: templateOf(
      seeds.map((seed, i) => (touched[i] ? { ...seed, ...changed[i] } : seed)),
      (i) => inNew[i],
    ),
  };
}

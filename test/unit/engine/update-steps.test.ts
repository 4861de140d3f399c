// updateSteps, the element steps of an UPDATE (and of the rollback of one), over random updates:
// one step per changed element, the right op, the right template, additions and changes before
// removals, each after what it depends on. The made-up types are not in the catalog, so only a
// type change replaces; any property change is an in-place UPDATE.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ElementOp, ElementStep, TemplateSource } from '../../../src/domain/lifecycle.js';
import { diffTemplates, type ChangeKind } from '../../../src/template/index.js';
import { stepsOf, updateSteps } from '../../../src/temporal/worker/activities/step-planning.js';
import { templatesOf, updates } from './template-generators.js';

const OP_OF: Record<Exclude<ChangeKind, 'NO_CHANGE'>, ElementOp> = { ADD: 'CREATE', MODIFY: 'UPDATE', REPLACE: 'REPLACE', DELETE: 'DELETE' };

const waveIndex = (waves: ElementStep[][], element: string): number => waves.findIndex((wave) => wave.some((step) => step.element === element));

describe('updateSteps', () => {
  it('one step per changed element, with the op of its change; none for unchanged ones; no empty wave', () => {
    fc.assert(
      fc.property(updates, fc.constantFrom<TemplateSource>('pending', 'current'), (update, source) => {
        const { from, to } = templatesOf(update);
        const waves = updateSteps(from, to, source);
        const steps = waves.flat();
        const expected = diffTemplates(from, to)
          .filter((change) => change.change !== 'NO_CHANGE')
          .map((change) => `${change.element}:${OP_OF[change.change as Exclude<ChangeKind, 'NO_CHANGE'>]}`);
        expect(steps.map((step) => `${step.element}:${step.op}`).sort()).toEqual(expected.sort());
        for (const wave of waves) expect(wave.length).toBeGreaterThan(0);
      }),
    );
  });

  it('brings elements to the given template; removes from the other one, after every addition and change', () => {
    fc.assert(
      fc.property(updates, fc.constantFrom<TemplateSource>('pending', 'current'), (update, source) => {
        const { from, to } = templatesOf(update);
        const waves = updateSteps(from, to, source);
        const other: TemplateSource = source === 'pending' ? 'current' : 'pending';
        let removing = false;
        for (const wave of waves) {
          const deletes = wave.filter((step) => step.op === 'DELETE');
          // A wave is all removals or none: removals come in waves of their own, at the end.
          if (deletes.length > 0) {
            expect(deletes).toHaveLength(wave.length);
            removing = true;
          } else {
            expect(removing).toBe(false);
          }
          for (const step of wave) expect(step.source).toBe(step.op === 'DELETE' ? other : source);
        }
      }),
    );
  });

  it('places a step after the steps of what it depends on (and a removal before those of what it needed)', () => {
    fc.assert(
      fc.property(updates, (update) => {
        const { from, to } = templatesOf(update);
        const waves = updateSteps(from, to, 'pending');
        const steps = waves.flat();
        const opOf = new Map(steps.map((step) => [step.element, step.op]));
        for (const step of steps) {
          const at = waveIndex(waves, step.element);
          const removing = step.op === 'DELETE';
          for (const dependency of (removing ? from : to).nodes[step.element].dependencies) {
            // Only steps of the same direction are ordered against each other: every removal
            // follows every addition and change anyway.
            const dependencyOp = opOf.get(dependency);
            if (dependencyOp === undefined || (dependencyOp === 'DELETE') !== removing) continue;
            if (removing) expect(waveIndex(waves, dependency)).toBeGreaterThan(at);
            else expect(waveIndex(waves, dependency)).toBeLessThan(at);
          }
        }
      }),
    );
  });

  it('plans nothing for an unchanged template', () => {
    fc.assert(
      fc.property(updates, (update) => {
        const { from } = templatesOf(update);
        expect(updateSteps(from, structuredClone(from), 'pending')).toEqual([]);
      }),
    );
  });

  it("the rollback of an update (pending back to current) re-creates what it deleted and deletes what it created", () => {
    fc.assert(
      fc.property(updates, (update) => {
        const { from, to } = templatesOf(update);
        const forward = updateSteps(from, to, 'pending').flat();
        const back = updateSteps(to, from, 'current').flat();
        const elementsWith = (steps: ElementStep[], op: ElementOp): string[] => steps.filter((step) => step.op === op).map((step) => step.element).sort();
        expect(elementsWith(back, 'CREATE')).toEqual(elementsWith(forward, 'DELETE'));
        expect(elementsWith(back, 'DELETE')).toEqual(elementsWith(forward, 'CREATE'));
        expect(back.map((step) => step.element).sort()).toEqual(forward.map((step) => step.element).sort());
      }),
    );
  });
});

describe('stepsOf', () => {
  it('gives every element of every wave one step of the op and template given, and drops empty waves', () => {
    expect(stepsOf([['a', 'b'], [], ['c']], 'STOP', 'current')).toEqual([
      [
        { element: 'a', op: 'STOP', source: 'current' },
        { element: 'b', op: 'STOP', source: 'current' },
      ],
      [{ element: 'c', op: 'STOP', source: 'current' }],
    ]);
    expect(stepsOf([[], []], 'DELETE', 'current')).toEqual([]);
  });
});

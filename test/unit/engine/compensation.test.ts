// The saga's undo steps: which element step reverses which. The Saga class itself runs its
// compensations in CancellationScope.nonCancellable, a workflow-only API, so its last-in-first-out
// order is covered by the lifecycle tests against Temporal (test/e2e/lifecycle.test.ts), not here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compensationOf, type ElementOp, type ElementStep, type TemplateSource } from '../../../src/domain/lifecycle.js';

const steps = fc.record({
  element: fc.string({ minLength: 1, maxLength: 12 }),
  op: fc.constantFrom<ElementOp>('CREATE', 'UPDATE', 'REPLACE', 'DELETE', 'START', 'STOP'),
  source: fc.constantFrom<TemplateSource>('current', 'pending'),
  quick: fc.option(fc.boolean(), { nil: undefined }),
});

describe('compensationOf', () => {
  it('a CREATE is undone by deleting what it made, from the same template', () => {
    expect(compensationOf({ element: 'db', op: 'CREATE', source: 'pending' })).toEqual({ element: 'db', op: 'DELETE', source: 'pending', quick: undefined });
    expect(compensationOf({ element: 'db', op: 'CREATE', source: 'current', quick: true })).toEqual({ element: 'db', op: 'DELETE', source: 'current', quick: true });
  });

  it('an UPDATE or REPLACE is undone by the same op back to the other template', () => {
    expect(compensationOf({ element: 'web', op: 'UPDATE', source: 'pending' })).toEqual({ element: 'web', op: 'UPDATE', source: 'current', quick: undefined });
    expect(compensationOf({ element: 'web', op: 'REPLACE', source: 'pending', quick: false })).toEqual({ element: 'web', op: 'REPLACE', source: 'current', quick: false });
    // A rollback's own steps go from pending back to current: their undo goes forward again.
    expect(compensationOf({ element: 'web', op: 'UPDATE', source: 'current' })?.source).toBe('pending');
  });

  it('a DELETE (an update removing an element) is undone by creating it from the current template', () => {
    for (const source of ['current', 'pending'] as const) {
      expect(compensationOf({ element: 'old', op: 'DELETE', source })).toEqual({ element: 'old', op: 'CREATE', source: 'current', quick: undefined });
    }
  });

  it('START and STOP register no compensation', () => {
    expect(compensationOf({ element: 'web', op: 'START', source: 'current' })).toBeNull();
    expect(compensationOf({ element: 'web', op: 'STOP', source: 'current' })).toBeNull();
  });

  it('keeps the element and whether it is quick; never returns START or STOP', () => {
    fc.assert(
      fc.property(steps, (step: ElementStep) => {
        const undo = compensationOf(step);
        if (undo === null) {
          expect(['START', 'STOP']).toContain(step.op);
          return;
        }
        expect(undo.element).toBe(step.element);
        expect(undo.quick).toBe(step.quick);
        expect(['CREATE', 'UPDATE', 'REPLACE', 'DELETE']).toContain(undo.op);
      }),
    );
  });

  it('undoing an undo of a CREATE, UPDATE or REPLACE gives back the original step', () => {
    fc.assert(
      fc.property(steps, (step: ElementStep) => {
        if (step.op !== 'CREATE' && step.op !== 'UPDATE' && step.op !== 'REPLACE') return;
        const undo = compensationOf(step);
        expect(undo).not.toBeNull();
        const back = compensationOf(undo as ElementStep);
        if (step.op === 'CREATE') {
          // DELETE's undo always re-creates from the current template.
          expect(back).toEqual({ ...step, source: 'current' });
        } else {
          expect(back).toEqual(step);
        }
      }),
    );
  });
});

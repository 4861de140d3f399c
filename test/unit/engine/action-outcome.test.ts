// The pure decisions of a lifecycle action's run (src/domain/action-outcome.ts): which actions are
// sagas or keep going, why a stopped action stopped, whether it is rolled back, what it records.
// The workflow that calls them runs against Temporal in test/workflows/stack-workflow.test.ts.
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionTraits, finishAfterRollback, finishFailed, leftBehindReason, rollsBack, stopReason, type ActionTraits } from '../../../src/domain/action-outcome.js';
import { RECORDED_ACTIONS, type RecordedAction } from '../../../src/domain/stack-state.js';

const actions = fc.constantFrom<RecordedAction>(...RECORDED_ACTIONS);
const names = fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { maxLength: 5 });

describe('actionTraits', () => {
  it('INSTALL and UPDATE are undoable, nothing else; only a forced DELETE keeps going', () => {
    const table = RECORDED_ACTIONS.flatMap((action) => [false, true].map((force) => ({ action, force, ...actionTraits({ action, force }) })));
    expect(table.filter((row) => row.undoable).map((row) => row.action)).toEqual(['INSTALL', 'INSTALL', 'UPDATE', 'UPDATE']);
    expect(table.filter((row) => row.keepGoing)).toEqual([{ action: 'DELETE', force: true, undoable: false, keepGoing: true }]);
  });

  it('a DELETE without force, or with force unset, stops at the first failure', () => {
    expect(actionTraits({ action: 'DELETE' })).toEqual({ undoable: false, keepGoing: false });
    expect(actionTraits({ action: 'DELETE', force: false }).keepGoing).toBe(false);
  });

  it('no action is both undoable and keep-going', () => {
    fc.assert(fc.property(actions, fc.option(fc.boolean(), { nil: undefined }), (action, force) => {
      const traits = actionTraits({ action, force });
      expect(traits.undoable && traits.keepGoing).toBe(false);
    }));
  });
});

describe('stopReason', () => {
  const wrapped = new ActivityFailure('Activity task failed', 'applyElementStep', '7', RetryState.NON_RETRYABLE_FAILURE, 'worker', ApplicationFailure.nonRetryable('db: port 5432 taken'));

  it('a timeout says so, in whole seconds of the plan’s timeout, whatever the work threw', () => {
    expect(stopReason({ timedOut: true, cancelled: false, error: new CancelledFailure('cancelled') }, 3_600_000)).toBe('timed out after 3600 s');
    expect(stopReason({ timedOut: true, cancelled: false, error: wrapped }, 1_499)).toBe('timed out after 1 s');
    expect(stopReason({ timedOut: true, cancelled: false, error: wrapped }, 1_500)).toBe('timed out after 2 s');
  });

  it('a cancellation by request says so', () => {
    expect(stopReason({ timedOut: false, cancelled: true, error: new CancelledFailure('cancelled') }, 60_000)).toBe('cancelled by request');
  });

  it("otherwise the innermost message of what failed: the activity's, not Temporal's wrapper", () => {
    expect(stopReason({ timedOut: false, cancelled: false, error: wrapped }, 60_000)).toBe('db: port 5432 taken');
    expect(stopReason({ timedOut: false, cancelled: false, error: 'not an Error' }, 60_000)).toBe('not an Error');
  });
});

describe('rollsBack', () => {
  const saga: ActionTraits = { undoable: true, keepGoing: false };
  const notSaga: ActionTraits = { undoable: false, keepGoing: false };

  it('a saga rolls back when the stack asks for it or when it was cancelled', () => {
    expect(rollsBack(saga, true, false)).toBe(true);
    expect(rollsBack(saga, false, true)).toBe(true);
    expect(rollsBack(saga, true, true)).toBe(true);
    expect(rollsBack(saga, false, false)).toBe(false);
  });

  it('an action that is not a saga never rolls back', () => {
    fc.assert(fc.property(fc.boolean(), fc.boolean(), fc.boolean(), (keepGoing, autoRollback, cancelled) => {
      expect(rollsBack({ ...notSaga, keepGoing }, autoRollback, cancelled)).toBe(false);
    }));
  });

  it('over every action: rolled back exactly when INSTALL/UPDATE and (autoRollback or cancelled)', () => {
    fc.assert(fc.property(actions, fc.boolean(), fc.boolean(), fc.boolean(), (action, force, autoRollback, cancelled) => {
      const expected = (action === 'INSTALL' || action === 'UPDATE') && (autoRollback || cancelled);
      expect(rollsBack(actionTraits({ action, force }), autoRollback, cancelled)).toBe(expected);
    }));
  });
});

describe('finishAfterRollback', () => {
  it('ROLLBACK_FAILED naming the elements not undone, whether or not it was cancelled', () => {
    for (const cancelled of [false, true]) {
      expect(finishAfterRollback('s1', 'boom', ['web', 'db'], cancelled)).toEqual({ stackId: 's1', outcome: 'ROLLBACK_FAILED', reason: 'boom', failedElements: ['web', 'db'] });
    }
  });

  it('everything undone: CANCELLED after a cancellation, ROLLED_BACK after a failure or timeout; no failed elements', () => {
    expect(finishAfterRollback('s1', 'cancelled by request', [], true)).toEqual({ stackId: 's1', outcome: 'CANCELLED', reason: 'cancelled by request' });
    expect(finishAfterRollback('s1', 'timed out after 60 s', [], false)).toEqual({ stackId: 's1', outcome: 'ROLLED_BACK', reason: 'timed out after 60 s' });
  });

  it('the outcome follows from the elements not undone and the cancellation alone', () => {
    fc.assert(fc.property(names, fc.boolean(), fc.string(), (notUndone, cancelled, reason) => {
      const finish = finishAfterRollback('s', reason, notUndone, cancelled);
      expect(finish.reason).toBe(reason);
      expect(finish.outcome).toBe(notUndone.length > 0 ? 'ROLLBACK_FAILED' : cancelled ? 'CANCELLED' : 'ROLLED_BACK');
      expect(finish.failedElements ?? []).toEqual(notUndone);
    }));
  });
});

describe('finishFailed', () => {
  it('FAILED with the failed elements and whether some stopped', () => {
    expect(finishFailed('s2', 'web: boom', ['web'], true)).toEqual({ stackId: 's2', outcome: 'FAILED', reason: 'web: boom', failedElements: ['web'], someStopped: true });
  });
});

describe('leftBehindReason', () => {
  it('names the elements, and the objects when the cluster still has some', () => {
    expect(leftBehindReason(['web', 'db'], ['container aos-1', 'volume aos-2'])).toBe('left behind (could not be removed): elements web, db; objects container aos-1, volume aos-2');
    expect(leftBehindReason(['web'], [])).toBe('left behind (could not be removed): elements web');
  });

  it('mentions objects exactly when there are leftovers, and every element and object in order', () => {
    fc.assert(fc.property(names.filter((n) => n.length > 0), names, (failed, leftovers) => {
      const reason = leftBehindReason(failed, leftovers);
      expect(reason.includes('; objects ')).toBe(leftovers.length > 0);
      expect(reason.startsWith(`left behind (could not be removed): elements ${failed.join(', ')}`)).toBe(true);
      if (leftovers.length) expect(reason.endsWith(`objects ${leftovers.join(', ')}`)).toBe(true);
    }));
  });
});

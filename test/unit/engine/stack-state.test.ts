// The stack state machine without services: which operation each situation allows, and which
// action a started operation records. The expected tables are written out by hand, not derived
// from the code under test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedOperations,
  isAllowed,
  recordedActionOf,
  statusAfterFailure,
  type ActionState,
  type RecordedAction,
  type StackOperation,
  type StackSituation,
  type StackStatus,
} from '../../../src/domain/stack-state.js';

const STATUSES: StackStatus[] = ['INITIAL', 'PROCESSING', 'NORMAL', 'STOPPED', 'PARTIALLY_STOPPED', 'ABNORMAL', 'UNKNOWN_ERROR', 'DELETED'];
const ACTIONS: RecordedAction[] = ['INSTALL', 'UPDATE', 'START', 'STOP', 'DELETE', 'ROLLBACK'];
const ACTION_STATES: ActionState[] = ['IN_PROGRESS', 'COMPLETE', 'FAILED'];
const OPERATIONS: StackOperation[] = ['INSTALL', 'UPDATE', 'START', 'STOP', 'DELETE', 'FORCE_DELETE', 'CANCEL', 'RETRY', 'ROLLBACK'];

const situation = (status: StackStatus, action: RecordedAction | null = null, actionState: ActionState | null = null): StackSituation => ({ status, action, actionState });

const situations = fc.record({
  status: fc.constantFrom(...STATUSES),
  action: fc.option(fc.constantFrom(...ACTIONS), { nil: null }),
  actionState: fc.option(fc.constantFrom(...ACTION_STATES), { nil: null }),
});

describe('allowed operations by status (no failed action on record)', () => {
  const expected: Record<StackStatus, StackOperation[]> = {
    INITIAL: ['INSTALL', 'DELETE', 'FORCE_DELETE'],
    PROCESSING: ['FORCE_DELETE', 'CANCEL'],
    NORMAL: ['UPDATE', 'STOP', 'DELETE', 'FORCE_DELETE'],
    STOPPED: ['START', 'DELETE', 'FORCE_DELETE'],
    PARTIALLY_STOPPED: ['START', 'STOP', 'DELETE', 'FORCE_DELETE'],
    ABNORMAL: ['STOP', 'DELETE', 'FORCE_DELETE'],
    UNKNOWN_ERROR: ['DELETE', 'FORCE_DELETE'],
    DELETED: [],
  };
  for (const status of STATUSES) {
    it(`${status} allows ${expected[status].join(', ')}`, () => {
      expect(allowedOperations(situation(status))).toEqual(expected[status]);
    });
  }
});

describe('a deleted stack', () => {
  it('allows nothing, whatever its last action and its state', () => {
    fc.assert(
      fc.property(situations, (s) => {
        expect(allowedOperations({ ...s, status: 'DELETED' })).toEqual([]);
      }),
    );
  });
});

describe('after an action', () => {
  it('RETRY and ROLLBACK follow a failed INSTALL or UPDATE', () => {
    for (const action of ['INSTALL', 'UPDATE'] as const) {
      expect(allowedOperations(situation('ABNORMAL', action, 'FAILED'))).toEqual(['STOP', 'DELETE', 'FORCE_DELETE', 'RETRY', 'ROLLBACK']);
    }
  });

  it('a failed START or STOP may be retried but not rolled back', () => {
    for (const action of ['START', 'STOP'] as const) {
      expect(isAllowed('RETRY', situation('ABNORMAL', action, 'FAILED'))).toBe(true);
      expect(isAllowed('ROLLBACK', situation('ABNORMAL', action, 'FAILED'))).toBe(false);
    }
  });

  it('a failed DELETE or ROLLBACK is neither retried nor rolled back (delete again instead)', () => {
    for (const action of ['DELETE', 'ROLLBACK'] as const) {
      const s = situation('ABNORMAL', action, 'FAILED');
      expect(isAllowed('RETRY', s)).toBe(false);
      expect(isAllowed('ROLLBACK', s)).toBe(false);
      expect(isAllowed('DELETE', s)).toBe(true);
    }
  });

  it('RETRY and ROLLBACK need the stack ABNORMAL and the action FAILED', () => {
    expect(isAllowed('RETRY', situation('NORMAL', 'INSTALL', 'FAILED'))).toBe(false);
    expect(isAllowed('RETRY', situation('ABNORMAL', 'INSTALL', 'COMPLETE'))).toBe(false);
    expect(isAllowed('ROLLBACK', situation('ABNORMAL', 'UPDATE', 'IN_PROGRESS'))).toBe(false);
    expect(isAllowed('RETRY', situation('ABNORMAL', null, 'FAILED'))).toBe(false);
  });

  it('START is allowed from ABNORMAL only when the last action completed (a health check found it broken)', () => {
    expect(isAllowed('START', situation('ABNORMAL', 'INSTALL', 'COMPLETE'))).toBe(true);
    expect(isAllowed('START', situation('ABNORMAL', 'INSTALL', 'FAILED'))).toBe(false);
    expect(isAllowed('START', situation('ABNORMAL'))).toBe(false);
  });
});

describe('properties over every situation', () => {
  it('allowedOperations is exactly the operations isAllowed accepts, in a fixed order', () => {
    fc.assert(
      fc.property(situations, (s) => {
        expect(allowedOperations(s)).toEqual(OPERATIONS.filter((op) => isAllowed(op, s)));
      }),
    );
  });

  it('FORCE_DELETE is allowed until the stack is DELETED; CANCEL exactly while PROCESSING', () => {
    fc.assert(
      fc.property(situations, (s) => {
        expect(isAllowed('FORCE_DELETE', s)).toBe(s.status !== 'DELETED');
        expect(isAllowed('CANCEL', s)).toBe(s.status === 'PROCESSING');
      }),
    );
  });

  it('nothing but CANCEL and FORCE_DELETE starts while an action runs', () => {
    fc.assert(
      fc.property(situations, (s) => {
        if (s.status !== 'PROCESSING') return;
        expect(allowedOperations(s)).toEqual(['FORCE_DELETE', 'CANCEL']);
      }),
    );
  });

  it('INSTALL only from INITIAL, UPDATE only from NORMAL, whatever the recorded action', () => {
    fc.assert(
      fc.property(situations, (s) => {
        expect(isAllowed('INSTALL', s)).toBe(s.status === 'INITIAL');
        expect(isAllowed('UPDATE', s)).toBe(s.status === 'NORMAL');
      }),
    );
  });
});

describe('recordedActionOf', () => {
  it('plain operations record themselves', () => {
    for (const op of ['INSTALL', 'UPDATE', 'START', 'STOP', 'DELETE', 'ROLLBACK'] as const) {
      expect(recordedActionOf(op, situation('NORMAL', 'STOP', 'COMPLETE'))).toBe(op);
    }
  });

  it('FORCE_DELETE records DELETE', () => {
    expect(recordedActionOf('FORCE_DELETE', situation('PROCESSING', 'UPDATE', 'IN_PROGRESS'))).toBe('DELETE');
  });

  it('RETRY records the failed action it repeats; CANCEL the action it stops', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACTIONS), (action) => {
        expect(recordedActionOf('RETRY', situation('ABNORMAL', action, 'FAILED'))).toBe(action);
        expect(recordedActionOf('CANCEL', situation('PROCESSING', action, 'IN_PROGRESS'))).toBe(action);
      }),
    );
  });

  it('every allowed operation records one of the six actions', () => {
    fc.assert(
      fc.property(situations, (s) => {
        for (const op of allowedOperations(s)) expect(ACTIONS).toContain(recordedActionOf(op, s));
      }),
    );
  });
});

describe('statusAfterFailure', () => {
  it('a STOP that stopped some elements leaves the stack PARTIALLY_STOPPED', () => {
    expect(statusAfterFailure('STOP', { someStopped: true })).toBe('PARTIALLY_STOPPED');
    expect(statusAfterFailure('STOP', { someStopped: false })).toBe('ABNORMAL');
    expect(statusAfterFailure('STOP')).toBe('ABNORMAL');
  });

  it('every other failed action leaves it ABNORMAL, stopped elements or not', () => {
    for (const action of ACTIONS.filter((a) => a !== 'STOP')) {
      expect(statusAfterFailure(action, { someStopped: true })).toBe('ABNORMAL');
      expect(statusAfterFailure(action)).toBe('ABNORMAL');
    }
  });
});

// errorText, the one reading of an unknown error for events and statusReasons: the activities take
// the outer message, the workflows the innermost one of Temporal's wrapping.
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorText } from '../../../src/domain/error-text.js';

const chain = (...messages: string[]): Error => messages.reduceRight<Error | undefined>((cause, message) => new Error(message, { cause }), undefined) as Error;

describe('errorText', () => {
  it("an Error's own message by default, even when it has a cause", () => {
    expect(errorText(new Error('disk full'))).toBe('disk full');
    expect(errorText(chain('fetch failed', 'connect ECONNREFUSED 127.0.0.1:2375'))).toBe('fetch failed');
  });

  it('with innermost, the message at the end of the cause chain', () => {
    expect(errorText(chain('outer', 'middle', 'inner'), { innermost: true })).toBe('inner');
    expect(errorText(new Error('alone'), { innermost: true })).toBe('alone');
  });

  it("reads an activity's failure as the workflow sees it: the activity's message, not Temporal's wrapper", () => {
    const failure = new ActivityFailure('Activity task failed', 'applyElementStep', '3', RetryState.NON_RETRYABLE_FAILURE, 'worker', ApplicationFailure.nonRetryable('web: image not found', 'DriverPermanent'));
    expect(errorText(failure, { innermost: true })).toBe('web: image not found');
    expect(errorText(failure)).toBe('Activity task failed');
  });

  it('stops at the last Error: a cause that is not an Error is not read', () => {
    expect(errorText(new Error('outer', { cause: 'a string cause' }), { innermost: true })).toBe('outer');
    expect(errorText(new Error('outer', { cause: { message: 'an object' } }), { innermost: true })).toBe('outer');
  });

  it('anything that is not an Error is its string, either way', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined)), fc.boolean(), (value, innermost) => {
        expect(errorText(value, { innermost })).toBe(String(value));
      }),
    );
  });

  it('a cause chain that loops ends instead of spinning', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(['a', 'b']).toContain(errorText(a, { innermost: true }));
  });

  it('innermost of a random chain is its last message', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (messages) => {
        expect(errorText(chain(...messages), { innermost: true })).toBe(messages[messages.length - 1]);
        expect(errorText(chain(...messages))).toBe(messages[0]);
      }),
    );
  });
});

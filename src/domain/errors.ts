// Expected failures. Each subclass is one GraphQL error type (schema/errors.ts); anything that is
// not a DomainError is unexpected and masked by Yoga.

import type { TemplateProblem } from '../template/types.js';

/** A located problem: in a template, or in the inputs and arguments of a request. */
export type TemplateProblemLike = TemplateProblem;

export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** HTTP-like status recorded in audit records. */
  abstract readonly status: number;
}

export class ValidationFailed extends DomainError {
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
  constructor(
    message: string,
    readonly problems: TemplateProblemLike[] = [],
  ) {
    super(message);
  }
  static single(code: string, path: string, message: string, hint?: string): ValidationFailed {
    return new ValidationFailed(message, [{ code, path, message, ...(hint ? { hint } : {}) }]);
  }
}

export class NotFound extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
  /** `why` says what the caller could not know, e.g. that the stack was deleted. */
  constructor(what: string, ref?: string, why?: string) {
    super(`${ref ? `${what} "${ref}" not found` : `${what} not found`}${why ? `: ${why}` : ''}`);
  }
}

export class Forbidden extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
}

export class NameTaken extends DomainError {
  readonly code = 'NAME_TAKEN';
  readonly status = 409;
}

export class QuotaExceeded extends DomainError {
  readonly code = 'QUOTA_EXCEEDED';
  readonly status = 429;
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}

export class TenantFrozen extends DomainError {
  readonly code = 'TENANT_FROZEN';
  readonly status = 423;
  constructor() {
    super('this tenant is frozen: it can read but not change anything');
  }
}

/** An action runs on the stack: which one, and what may be asked while it runs (CANCEL, FORCE_DELETE). */
export class StackBusy extends DomainError {
  readonly code = 'STACK_BUSY';
  readonly status = 409;
  constructor(
    message: string,
    readonly action: string,
    readonly allowedActions: string[],
  ) {
    super(message);
  }
}

export class InvalidStackState extends DomainError {
  readonly code = 'INVALID_STACK_STATE';
  readonly status = 409;
  constructor(
    message: string,
    readonly stackStatus: string,
    readonly allowedActions: string[],
  ) {
    super(message);
  }
}

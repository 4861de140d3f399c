// The problems a cluster registration is refused with, one on each field that is wrong.
import type { TemplateProblemLike } from '../domain/errors.js';
import type { EndpointVerdict } from './endpoint-policy.js';

export function fieldProblem(path: string, message: string, hint?: string): TemplateProblemLike {
  return { code: 'INVALID_VALUE', path, message, ...(hint ? { hint } : {}) };
}

export function missingProblem(path: string, message: string, hint?: string): TemplateProblemLike {
  return { code: 'MISSING_VALUE', path, message, ...(hint ? { hint } : {}) };
}

/** A refusal of the endpoint policy, on the field that named the endpoint. */
export function policyProblems(path: string, verdict: EndpointVerdict): TemplateProblemLike[] {
  return verdict.ok
    ? []
    : [{ code: 'ENDPOINT_NOT_ALLOWED', path, message: verdict.reason, hint: 'ask the platform administrator to register this endpoint for the tenant, or to allow it in AOS_CLUSTER_ENDPOINT_POLICY' }];
}

/** "timed out (no answer within N ms)": the one wording of a health check past its deadline. */
export function timedOutReason(timeoutMs: number): string {
  return `timed out (no answer within ${timeoutMs} ms)`;
}

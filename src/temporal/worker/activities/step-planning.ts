// Which element steps an action takes, in waves: pure functions of resolved templates, so the
// plan is the same wherever and however often it is computed.
import type { ActionPlan, ElementStep, TemplateSource } from '../../../domain/lifecycle.js';
import type { RecordedAction, StackStatus } from '../../../domain/stack-state.js';
import { diffTemplates, planTemplate, type ResolvedTemplate } from '../../../template/index.js';

/** One step of kind `op` per element, wave by wave; empty waves dropped. */
export function stepsOf(elements: string[][], op: ElementStep['op'], source: TemplateSource): ElementStep[][] {
  return elements.map((wave) => wave.map((element) => ({ element, op, source }))).filter((wave) => wave.length > 0);
}

/**
 * Steps that take elements from `from` to `to`: additions and changes in `to`'s install order,
 * then removals in `from`'s delete order.
 */
export function updateSteps(from: ResolvedTemplate, to: ResolvedTemplate, source: TemplateSource): ElementStep[][] {
  const changes = new Map(diffTemplates(from, to).map((c) => [c.element, c]));
  const forward = planTemplate(to).waves.map((wave) =>
    wave.flatMap((element): ElementStep[] => {
      const change = changes.get(element)?.change;
      if (change === 'ADD') return [{ element, op: 'CREATE', source }];
      if (change === 'MODIFY') return [{ element, op: 'UPDATE', source }];
      if (change === 'REPLACE') return [{ element, op: 'REPLACE', source }];
      return [];
    }),
  );
  const backward = planTemplate(from).deleteWaves.map((wave) =>
    wave.filter((element) => changes.get(element)?.change === 'DELETE').map((element): ElementStep => ({ element, op: 'DELETE', source: source === 'pending' ? 'current' : 'pending' })),
  );
  return [...forward, ...backward].filter((wave) => wave.length > 0);
}

/**
 * A DELETE's steps: first one wave for the elements the stack has rows for but its current template
 * does not plan (rows an update left, or every row when the template no longer resolves: `current`
 * null), then the template's delete order.
 */
export function deleteSteps(current: ResolvedTemplate | null, rowNames: readonly string[]): ElementStep[][] {
  const deleteWaves = current ? planTemplate(current).deleteWaves : [];
  const planned = new Set(deleteWaves.flat());
  const strays = rowNames.filter((name) => !planned.has(name));
  return stepsOf([...(strays.length ? [strays] : []), ...deleteWaves], 'DELETE', 'current');
}

/** What a ROLLBACK undoes: a failed update (the stack was ABNORMAL with the update still pending), else the install. */
export function rollbackTargetOf(previousStatus: StackStatus | null, hasPendingUpdate: boolean): NonNullable<ActionPlan['rollbackOf']> {
  return previousStatus === 'ABNORMAL' && hasPendingUpdate ? 'UPDATE' : 'INSTALL';
}

/**
 * The steps of an action other than DELETE, wave by wave. `pending` is the pending update's
 * template, needed by an UPDATE and by the ROLLBACK of one (rollbackOf 'UPDATE'): that brings every
 * element back to the current revision; the ROLLBACK of an install deletes in delete order.
 */
export function actionSteps(
  action: Exclude<RecordedAction, 'DELETE'>,
  current: ResolvedTemplate,
  pending: ResolvedTemplate | null,
  rollbackOf: ActionPlan['rollbackOf'] = null,
): ElementStep[][] {
  const needPending = (): ResolvedTemplate => {
    if (!pending) throw new Error(`${action} needs the pending update's template`);
    return pending;
  };
  switch (action) {
    case 'INSTALL':
      return stepsOf(planTemplate(current).waves, 'CREATE', 'current');
    case 'UPDATE':
      return updateSteps(current, needPending(), 'pending');
    case 'START':
      return stepsOf(planTemplate(current).waves, 'START', 'current');
    case 'STOP':
      return stepsOf(planTemplate(current).deleteWaves, 'STOP', 'current');
    case 'ROLLBACK':
      return rollbackOf === 'UPDATE' ? updateSteps(needPending(), current, 'current') : stepsOf(planTemplate(current).deleteWaves, 'DELETE', 'current');
  }
}

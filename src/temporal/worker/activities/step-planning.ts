// Which element steps an action takes, in waves: pure functions of resolved templates, so the
// plan is the same wherever and however often it is computed.
import type { ElementStep, TemplateSource } from '../../../domain/lifecycle.js';
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

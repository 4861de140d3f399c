// CTC.ServiceStage.ContainerComponent: the container spec (image, command, env, secrets, volumes,
// ports, serviceSpec) that a StatelessApplication requires. It deploys nothing itself: the
// application reads its properties through the requirement, so every action here is a no-op.
import type { ElementDriver, ElementState } from '../types.js';
import { CONTAINER_COMPONENT_TYPE } from './spec.js';

const NOTHING_DEPLOYED: ElementState = { physicalId: null, attributes: {} };

export const containerComponentDriver: ElementDriver = {
  type: CONTAINER_COMPONENT_TYPE,
  quick: true,
  create: async () => ({ ...NOTHING_DEPLOYED, attributes: {} }),
  update: async () => ({ ...NOTHING_DEPLOYED, attributes: {} }),
  delete: async () => undefined,
  start: async (_ctx, state) => state,
  stop: async (_ctx, state) => state,
  health: async () => ({ health: 'HEALTHY' }),
};

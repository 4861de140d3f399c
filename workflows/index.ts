// Every workflow the worker runs. This folder is bundled into Temporal's deterministic sandbox:
// only @temporalio/workflow, types of activities and pure code.
export { maintenanceWorkflow } from './maintenance.js';
export { stackMonitorWorkflow } from './monitor.js';
export {
  installStackWorkflow,
  updateStackWorkflow,
  startStackWorkflow,
  stopStackWorkflow,
  deleteStackWorkflow,
  rollbackStackWorkflow,
} from './stack.js';

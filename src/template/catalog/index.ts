// The built-in catalog. Importing this module registers the first set of types.

import { containerComponent } from './container-component.js';
import { randomString } from './random-string.js';
import { rdsPostgresql } from './rds-postgresql.js';
import { registerNodeType } from './registry.js';
import { statelessApplication } from './stateless-application.js';

export const BUILT_IN_NODE_TYPES = [statelessApplication, containerComponent, rdsPostgresql, randomString] as const;

for (const def of BUILT_IN_NODE_TYPES) registerNodeType(def);

export {
  registerNodeType,
  getNodeType,
  listNodeTypes,
  unregisterNodeType,
  isNodeTypeOf,
  declaredPropertyNames,
  GENERIC_REQUIREMENT,
  type NodeTypeDef,
  type AttributeDef,
  type RequirementDef,
  type JsonSchema,
} from './registry.js';

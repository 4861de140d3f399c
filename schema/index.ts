import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import './types/tenant.js';
import './types/user.js';
import './types/template.js';
import './types/audit-record.js';
import './types/cluster.js';
import './types/stack-event.js';
import './types/stack-topology.js';
import './types/stack.js';
import './types/stack-plan.js';
import './types/stack-inputs.js';
import './types/stack-mutations.js';
import './types/stack-clone.js';
import './types/stack-subscriptions.js';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

export const schema: GraphQLSchema = builder.toSchema();

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

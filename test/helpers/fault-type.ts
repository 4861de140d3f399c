// A node type for tests only: it fails, sleeps or succeeds on command, and records every real
// creation in PostgreSQL so that a test can check that nothing was created twice.
import pg from 'pg';
import { registerNodeType } from '../../src/template/index.js';
import { PermanentDriverError, type ElementContext, type ElementDriver } from '../../src/drivers/types.js';

export const FAULT_TYPE = 'Test.Fault';
type Op = 'create' | 'delete' | 'update' | 'start' | 'stop';

export function registerFaultType(): void {
  registerNodeType({
    name: FAULT_TYPE,
    description: 'Fault injection for tests: fail on create/delete/update/start/stop, sleep, fail N times then succeed.',
    properties: {
      type: 'object',
      additionalProperties: false,
      properties: {
        failOn: { type: 'array', items: { enum: ['create', 'delete', 'update', 'start', 'stop'] } },
        failTimes: { type: 'integer', minimum: 0, description: 'Fail the first N attempts (0: every attempt).' },
        permanent: { type: 'boolean' },
        sleepMs: { type: 'integer', minimum: 0 },
        sleepOn: { type: 'array', items: { enum: ['create', 'delete', 'update', 'start', 'stop'] } },
        revision: { type: 'string', description: 'Changing it is an in-place update.' },
        marker: { type: 'string', description: 'Changing it forces a replacement.' },
      },
    },
    attributes: {
      token: { type: 'string', description: 'A public value derived from the element.' },
      secret: { type: 'string', secret: true, description: 'A secret value.' },
    },
    replaceOnChange: ['marker'],
    deployable: true,
  });
}

let pool: pg.Pool | null = null;
function db(): pg.Pool {
  pool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  return pool;
}

export async function ensureFaultTables(): Promise<void> {
  const client = await db().connect();
  try {
    // Test files start in parallel: "create table if not exists" alone races on the row type.
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(4242)');
    await client.query(`create table if not exists test_fault_objects (id bigserial primary key, stack_id uuid not null, element text not null, revision text, created_at timestamptz not null default now())`);
    await client.query(`create table if not exists test_fault_attempts (stack_id uuid not null, element text not null, op text not null, attempts int not null, primary key (stack_id, element, op))`);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

export async function faultObjects(stackId: string): Promise<{ element: string; revision: string | null }[]> {
  const res = await db().query('select element, revision from test_fault_objects where stack_id = $1 order by id', [stackId]);
  return res.rows as { element: string; revision: string | null }[];
}

export async function closeFaultDb(): Promise<void> {
  await pool?.end();
  pool = null;
}

async function attempt(ctx: ElementContext, op: Op): Promise<number> {
  const res = await db().query(
    `insert into test_fault_attempts (stack_id, element, op, attempts) values ($1, $2, $3, 1)
     on conflict (stack_id, element, op) do update set attempts = test_fault_attempts.attempts + 1 returning attempts`,
    [ctx.stackId, ctx.element, op],
  );
  return (res.rows[0] as { attempts: number }).attempts;
}

async function behave(ctx: ElementContext, props: Record<string, unknown>, op: Op): Promise<void> {
  const sleepOn = (props.sleepOn as Op[] | undefined) ?? ['create'];
  const sleepMs = typeof props.sleepMs === 'number' ? props.sleepMs : 0;
  if (sleepMs > 0 && sleepOn.includes(op)) {
    const until = Date.now() + sleepMs;
    while (Date.now() < until) {
      if (ctx.signal.aborted) throw new Error('aborted');
      ctx.heartbeat();
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, until - Date.now())));
    }
  }
  const failOn = (props.failOn as Op[] | undefined) ?? [];
  if (!failOn.includes(op)) return;
  const count = await attempt(ctx, op);
  const failTimes = typeof props.failTimes === 'number' ? props.failTimes : 0;
  if (failTimes === 0 || count <= failTimes) {
    const message = `injected ${op} failure of ${ctx.element} (attempt ${count})`;
    throw props.permanent ? new PermanentDriverError(message, 'Injected') : new Error(message);
  }
}

/** Last deployed properties per element, for delete/start/stop (which get no properties). */
const lastProps = new Map<string, Record<string, unknown>>();
const key = (ctx: ElementContext) => `${ctx.stackId}/${ctx.element}`;

export const faultDriver: ElementDriver = {
  type: FAULT_TYPE,
  async create(ctx, properties) {
    lastProps.set(key(ctx), properties);
    await behave(ctx, properties, 'create');
    // Find earlier work first: a retried or replayed create must not make a twin.
    const found = await db().query('select id from test_fault_objects where stack_id = $1 and element = $2', [ctx.stackId, ctx.element]);
    if (found.rowCount === 0) {
      await db().query('insert into test_fault_objects (stack_id, element, revision) values ($1, $2, $3)', [ctx.stackId, ctx.element, properties.revision ?? null]);
    }
    return { physicalId: `fault/${ctx.stackId}/${ctx.element}`, attributes: { token: `token-${ctx.element}`, secret: `s3cret-${ctx.element}` } };
  },
  async update(ctx, properties, previous) {
    lastProps.set(key(ctx), properties);
    await behave(ctx, properties, 'update');
    await db().query('update test_fault_objects set revision = $3 where stack_id = $1 and element = $2', [ctx.stackId, ctx.element, properties.revision ?? null]);
    return previous.state;
  },
  async delete(ctx) {
    await behave(ctx, lastProps.get(key(ctx)) ?? {}, 'delete');
    await db().query('delete from test_fault_objects where stack_id = $1 and element = $2', [ctx.stackId, ctx.element]);
  },
  async start(ctx, state) {
    await behave(ctx, lastProps.get(key(ctx)) ?? {}, 'start');
    return state;
  },
  async stop(ctx, state) {
    await behave(ctx, lastProps.get(key(ctx)) ?? {}, 'stop');
    return state;
  },
};

// Entry point: applies pending migrations (or reverts them with `down [n]`).
import { loadConfig } from '../config.js';
import { initORM } from './orm.js';

const config = loadConfig();
const orm = await initORM(config.databaseUrl);
try {
  const migrator = orm.getMigrator();
  const [command, steps] = process.argv.slice(2);
  if (command === 'down') {
    const done = await migrator.down(steps === 'all' ? { to: 0 } : undefined);
    console.log(`migrations reverted: ${done.map((m) => m.name).join(', ') || 'none'}`);
  } else {
    const done = await migrator.up();
    console.log(`migrations applied: ${done.length ? done.map((m) => m.name).join(', ') : 'none pending'}`);
  }
} finally {
  await orm.close(true);
}

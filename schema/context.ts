import type { EntityManager } from '@mikro-orm/postgresql';
import type { AosConfig } from '../src/config.js';
import type { DriverRegistry } from '../src/drivers/registry.js';
import type { LiveFeed } from '../src/events/live-feed.js';
import type { SecretBox } from '../src/security/secret-box.js';
import type { ActionRunner } from '../src/services/action-runner.js';
import type { Viewer } from '../src/services/viewer.js';
import type { TopologyLayouts } from '../src/topology/layouts.js';

/** Long-lived parts shared by every operation of one API process. */
export interface AppServices {
  config: AosConfig;
  /** Rows announced over NOTIFY, loaded once per process for every live subscription. */
  live: LiveFeed;
  /** Starts and cancels stack actions (Temporal behind it, in src/temporal/client/). */
  runner: ActionRunner;
  /** Seals secrets at rest. */
  secrets: SecretBox;
  /** The cluster providers: registration checks and health of each kind. */
  drivers: DriverRegistry;
  /** Stack topologies laid out off the event loop, cached by structure. */
  topology: TopologyLayouts;
}

/** Built once per GraphQL operation. */
export interface GraphQLContext {
  /** A fresh EntityManager fork: nothing is shared between operations. */
  em: EntityManager;
  viewer: Viewer;
  sourceIp: string | null;
  services: AppServices;
}

// Every migration in order. Listed explicitly (not discovered by file glob) so that the same list
// runs under tsx, vitest and a compiled build alike.
import { Migration20261125000000_foundation } from './Migration20261125000000_foundation.js';
import { Migration20261125010000_stacks } from './Migration20261125010000_stacks.js';
import { Migration20261202000000_tokens } from './Migration20261202000000_tokens.js';
import { Migration20261202010000_cluster_trust } from './Migration20261202010000_cluster_trust.js';
import { Migration20261202020000_shown_body } from './Migration20261202020000_shown_body.js';
import { Migration20261206000000_service_clusters } from './Migration20261206000000_service_clusters.js';
import { Migration20261210000000_deleted_stacks } from './Migration20261210000000_deleted_stacks.js';
import { Migration20261211000000_cluster_stop_grace } from './Migration20261211000000_cluster_stop_grace.js';

export const migrationsList = [
  { name: 'Migration20261125000000_foundation', class: Migration20261125000000_foundation },
  { name: 'Migration20261125010000_stacks', class: Migration20261125010000_stacks },
  { name: 'Migration20261202000000_tokens', class: Migration20261202000000_tokens },
  { name: 'Migration20261202010000_cluster_trust', class: Migration20261202010000_cluster_trust },
  { name: 'Migration20261202020000_shown_body', class: Migration20261202020000_shown_body },
  { name: 'Migration20261206000000_service_clusters', class: Migration20261206000000_service_clusters },
  { name: 'Migration20261210000000_deleted_stacks', class: Migration20261210000000_deleted_stacks },
  { name: 'Migration20261211000000_cluster_stop_grace', class: Migration20261211000000_cluster_stop_grace },
];

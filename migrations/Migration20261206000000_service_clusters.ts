import { Migration } from '@mikro-orm/migrations';

/**
 * A stack's service clusters: clusters of other kinds (one per kind) for the elements its own
 * cluster does not deploy. Deleting a cluster a stack uses is refused by the service (ClusterInUse).
 */
export class Migration20261206000000_service_clusters extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "stack_service_clusters" ("stack_id" uuid not null, "cluster_id" uuid not null, constraint "stack_service_clusters_pkey" primary key ("stack_id", "cluster_id"));`);
    this.addSql(`alter table "stack_service_clusters" add constraint "stack_service_clusters_stack_id_foreign" foreign key ("stack_id") references "stacks" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stack_service_clusters" add constraint "stack_service_clusters_cluster_id_foreign" foreign key ("cluster_id") references "clusters" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "stack_service_clusters" cascade;`);
  }
}

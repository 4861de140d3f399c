#!/bin/sh
# The page of aos-test/pgweb: a greeting row read from PostgreSQL, and how many times it was read.
# Connection settings come from the environment the stack gives the container (PGHOST, PGPORT,
# PGDATABASE, PGUSER; PGPASSWORD as a secret variable): psql reads them itself, so the password
# never appears on a command line or in this script's output.
#
# The table is made on first use. Two instances can take their first request at once, and
# "create table if not exists" alone races on the row type: a transaction-scoped advisory lock
# makes the first use one at a time. Notices ("already exists, skipping") stay out of the page.
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 2>&1 <<'SQL'
set client_min_messages = warning;
do $$
begin
  perform pg_advisory_xact_lock(7301);
  create table if not exists aos_example_greeting (
    id integer primary key,
    message text not null,
    visits bigint not null default 0
  );
  insert into aos_example_greeting (id, message) values (1, 'Hello from PostgreSQL')
    on conflict (id) do nothing;
end
$$;
update aos_example_greeting set visits = visits + 1 where id = 1
  returning message || ' (database ' || current_database() || ', visit ' || visits || ')';
SQL
)
status=$?
if [ "$status" -eq 0 ]; then
  printf 'Content-Type: text/plain\r\n\r\n%s\n' "$out"
else
  # psql's own message (host, port, user, database and the server's reason; never the password).
  printf 'Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nno answer from the database (psql exit %s): %s\n' "$status" "$out"
fi

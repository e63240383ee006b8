#!/bin/sh
# Creates grafana_reader, the read-only role Grafana's PostgreSQL data source logs
# in as. The postgres image runs this once, when it initialises an empty data
# volume; on an existing volume run it by hand (docker-compose exec postgres sh
# /docker-entrypoint-initdb.d/20-grafana-reader.sh).
#
# The schemas do not exist yet at this point (each service creates its own on
# start-up, IF NOT EXISTS), so they are made here, owned by the services' role.
# Default privileges for that role then cover every table its migrations create.
set -eu

: "${GRAFANA_DB_PASSWORD:?GRAFANA_DB_PASSWORD must be set}"

# The password travels as a psql variable and is quoted by psql (:'...'), so no
# character in it can change the SQL. The here-document is quoted: the shell
# expands nothing in it.
psql --no-psqlrc -v ON_ERROR_STOP=1 \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=owner="$POSTGRES_USER" --set=db="$POSTGRES_DB" \
    --set=password="$GRAFANA_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE grafana_reader'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader')
\gexec
ALTER ROLE grafana_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
    PASSWORD :'password';
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';

CREATE SCHEMA IF NOT EXISTS client AUTHORIZATION :"owner";
CREATE SCHEMA IF NOT EXISTS supplier AUTHORIZATION :"owner";

GRANT CONNECT ON DATABASE :"db" TO grafana_reader;
GRANT USAGE ON SCHEMA client, supplier TO grafana_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA client, supplier TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA client, supplier
    GRANT SELECT ON TABLES TO grafana_reader;
SQL

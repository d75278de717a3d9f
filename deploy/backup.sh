#!/bin/sh
# Nightly PostgreSQL backup (cron: 15 2 * * * defensoria /opt/defensoria-bot/current/deploy/backup.sh).
# Custom format, compressed; keeps 30 days. Restore: pg_restore --clean -d defensoria FILE.
set -eu
DIR=${BACKUP_DIR:-/var/backups/defensoria-bot}
mkdir -p "$DIR"
pg_dump --format=custom --no-owner --file="$DIR/defensoria-$(date +%Y%m%d-%H%M).dump" "${PGDATABASE:-defensoria}"
find "$DIR" -name 'defensoria-*.dump' -mtime +30 -delete

#!/usr/bin/env bash
# make backup / make restore: the PostgreSQL database of DATABASE_URL as one pg_dump file.
#
#   make backup                              # → backups/volunteer_net-YYYYmmdd-HHMMSS.dump
#   make restore FILE=backups/….dump         # into DATABASE_URL, which must be empty
#   make restore FILE=… FORCE=yes            # replace what DATABASE_URL holds
#
# The custom format (-Fc) is compressed and restores table by table; --no-owner lets it restore
# under another role. Media files are not part of it: exports and imports are kept only for hours
# and are not worth restoring.
set -euo pipefail
action="${1:?backup or restore}"
url="${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database (postgres://user@host:port/name)}"
case "$url" in
  postgres://*|postgresql://*) ;;
  *) echo "backup/restore work on PostgreSQL; DATABASE_URL is not a postgres:// URL" >&2; exit 2 ;;
esac
for tool in pg_dump pg_restore psql; do
  command -v "$tool" >/dev/null || { echo "$tool not found: install postgresql-client" >&2; exit 2; }
done

case "$action" in
  backup)
    dir="${BACKUP_DIR:-backups}"
    mkdir -p "$dir"
    file="${FILE:-$dir/volunteer_net-$(date -u +%Y%m%d-%H%M%S).dump}"
    # Written under a temporary name first: a failed dump never looks like a good backup.
    pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$url"
    mv "$file.partial" "$file"
    echo "backup written: $file ($(du -h "$file" | cut -f1))"
    ;;
  restore)
    file="${FILE:?set FILE to the .dump file to restore}"
    [ -r "$file" ] || { echo "cannot read $file" >&2; exit 2; }
    tables=$(psql "$url" -XAtqc "select count(*) from pg_tables where schemaname = 'public'")
    clean=()
    if [ "$tables" != "0" ]; then
      if [ "${FORCE:-}" != "yes" ]; then
        echo "the database already has $tables tables; restore into an empty one, or add FORCE=yes to replace them" >&2
        exit 3
      fi
      clean=(--clean --if-exists)
    fi
    # One transaction: a restore that fails halfway leaves the database as it was.
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" --dbname="$url" "$file"
    echo "restored $file into the database"
    ;;
  *) echo "usage: backup.sh backup|restore" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a FRESH, empty database and media folder:
#
#   DATABASE_URL=postgres://guichet_owner:…@127.0.0.1:5432/guichet_restored \
#   GUICHET_MEDIA_ROOT=/var/lib/guichet/media-restored \
#   scripts/restore.sh /var/backups/guichet/guichet-20270301T063000Z
#
# Then, as docs/reliability.md says: `guichet db-grants --role guichet_app --apply`, and the
# checks `guichet rederive-clocks --fail-on-difference` and `guichet access-log verify`
# (tests/test_backup.py does all of it on every run of the suite on PostgreSQL).
set -euo pipefail
backup=${1:?usage: scripts/restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?DATABASE_URL (the new database, as its owner) must be set}"
: "${GUICHET_MEDIA_ROOT:?GUICHET_MEDIA_ROOT must be set}"
PG_RESTORE=${PG_RESTORE:-pg_restore}

(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
if [ -d "$GUICHET_MEDIA_ROOT" ] && [ -n "$(ls -A "$GUICHET_MEDIA_ROOT")" ]; then
  echo "restore: $GUICHET_MEDIA_ROOT is not empty; restore into a fresh folder" >&2
  exit 1
fi
# One transaction: a restore that fails leaves the database empty, never half-filled.
"$PG_RESTORE" --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$DATABASE_URL" "$backup/database.dump"
mkdir -p "$GUICHET_MEDIA_ROOT"
tar --extract --gzip --file="$backup/media.tar.gz" --directory="$GUICHET_MEDIA_ROOT"
echo "restored $backup"

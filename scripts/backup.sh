#!/usr/bin/env bash
# Guichet's backup: the database (pg_dump, custom format: compressed, restorable table by table)
# and the uploaded files (documents and letters, a tar of GUICHET_MEDIA_ROOT), with their
# SHA-256 sums. docs/reliability.md says how to restore and test it (scripts/restore.sh).
#
#   DATABASE_URL=postgres://guichet_owner:…@127.0.0.1:5432/guichet \
#   GUICHET_MEDIA_ROOT=/var/lib/guichet/media GUICHET_BACKUP_DIR=/var/backups/guichet \
#   scripts/backup.sh            # prints the name of the backup (a folder)
#
# The dump is taken in one snapshot (pg_dump's own transaction); the files are archived after
# it, so every file a dumped row names is in the tar (files are only ever added, never changed
# in place; one added while the tar runs is simply not named by the dump yet).
# GUICHET_ACCESS_LOG_KEY and GUICHET_FIELD_KEYS are NOT in the backup: keep them apart (a vault),
# without them the chain cannot be verified and the identifiers cannot be read.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL (the owner URL) must be set}"
: "${GUICHET_MEDIA_ROOT:?GUICHET_MEDIA_ROOT must be set}"
: "${GUICHET_BACKUP_DIR:?GUICHET_BACKUP_DIR must be set}"
PG_DUMP=${PG_DUMP:-pg_dump}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$GUICHET_BACKUP_DIR/guichet-$stamp"
mkdir -p "$target.partial"
umask 077
"$PG_DUMP" --format=custom --compress=6 --no-owner --no-privileges \
  --file="$target.partial/database.dump" "$DATABASE_URL"
tar --create --gzip --file="$target.partial/media.tar.gz" --directory="$GUICHET_MEDIA_ROOT" .
(cd "$target.partial" && sha256sum database.dump media.tar.gz > SHA256SUMS)
# Complete or absent: a backup interrupted halfway never looks like one.
mv "$target.partial" "$target"
echo "$target"

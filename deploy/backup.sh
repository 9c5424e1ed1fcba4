#!/bin/sh
# A consistent MongoDB backup: mongodump of the whole replica set with --oplog (a point in
# time while writes go on), gzip, one archive a run; the newest $KEEP are kept.
#   MONGODB_URI=mongodb://... BACKUP_DIR=/var/backups/xuncha KEEP=14 sh deploy/backup.sh
set -eu
: "${MONGODB_URI:?set MONGODB_URI (the replica set)}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/xuncha}
KEEP=${KEEP:-14}
mkdir -p "$BACKUP_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$BACKUP_DIR/xuncha-$STAMP.archive.gz"
mongodump --uri="$MONGODB_URI" --oplog --gzip --archive="$OUT.partial"
mv "$OUT.partial" "$OUT"
echo "backup written: $OUT"
ls -1t "$BACKUP_DIR"/xuncha-*.archive.gz | tail -n +$((KEEP + 1)) | xargs -r rm -f

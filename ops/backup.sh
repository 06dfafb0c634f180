#!/usr/bin/env bash
# Sauvegarde de VAE COS : la base PostgreSQL (pg_dump, format personnalisé) puis les fichiers
# (dossier local MEDIA_ROOT, ou bucket S3 quand AWS_STORAGE_BUCKET_NAME est défini).
#
# Usage : ops/backup.sh [DOSSIER_DES_SAUVEGARDES]
#   (par défaut BACKUP_DIR, sinon var/backups du dépôt)
#
# Lit les mêmes variables d'environnement que l'application : DATABASE_URL (postgres://…),
# MEDIA_ROOT, ou AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME,
# AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. BACKUP_KEEP_DAYS=N (N ≥ 1) supprime, après une
# sauvegarde réussie, celles de plus de N jours ; 0 ou absent : toutes sont gardées.
# Le mot de passe de DATABASE_URL est passé à pg_dump par PGPASSWORD, jamais en argument.
#
# Produit DOSSIER/vaecos-AAAAMMJJ-HHMMSS/ : base.dump, fichiers/, SHA256SUMS, INFOS.txt.
# La sauvegarde est écrite dans un dossier « .en-cours » renommé à la toute fin : un dossier
# vaecos-… est toujours complet. Les fichiers déjà présents, identiques, dans la sauvegarde
# précédente y sont liés (liens physiques) au lieu d'être copiés de nouveau. Le dossier
# « .en-cours » d'une sauvegarde tuée net (kill -9, coupure), inchangé depuis un jour, est
# supprimé au début de la suivante.
set -euo pipefail
# The backup holds personal data: readable by its owner only.
umask 077

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="python3"

fail() {
  echo "ERREUR : $*" >&2
  exit 1
}

DEST="${1:-${BACKUP_DIR:-$ROOT/var/backups}}"
DATABASE_URL="${DATABASE_URL:-}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  "") fail "DATABASE_URL n'est pas défini (attendu : postgres://utilisateur@hote:5432/base)." ;;
  *) fail "DATABASE_URL doit désigner une base PostgreSQL (postgres://…) ; pour SQLite, copiez var/db.sqlite3 avec « sqlite3 var/db.sqlite3 \".backup copie.sqlite3\" »." ;;
esac
# 0 or unset keeps every backup (with `find -mtime +0`, 0 would delete all those of yesterday).
KEEP_DAYS="${BACKUP_KEEP_DAYS:-0}"
case "$KEEP_DAYS" in
  *[!0-9]*) fail "BACKUP_KEEP_DAYS doit être un nombre de jours (0 : tout garder)." ;;
esac
KEEP_DAYS="$((10#$KEEP_DAYS))"
command -v pg_dump >/dev/null || fail "pg_dump est introuvable (paquet postgresql-client, de la même version que le serveur ou plus récente)."

. "$ROOT/ops/database_url.sh"  # sets DB_URL (no password) and exports PGPASSWORD

mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"
NAME="vaecos-$(date +%Y%m%d-%H%M%S)"
FINAL="$DEST/$NAME"
WORK="$DEST/.$NAME.en-cours"
[ -e "$FINAL" ] && fail "$FINAL existe déjà ; relancez dans une seconde."
# A backup killed outright (no trap runs) leaves its ".en-cours" folder: removed once nothing
# in it has been written for a day (a backup still running keeps writing into its own).
while IFS= read -r -d '' stale; do
  if [ -z "$(find "$stale" -mmin -1440 -print -quit)" ]; then
    rm -rf "$stale"
    echo "Sauvegarde interrompue supprimée : $stale"
  fi
done < <(find "$DEST" -mindepth 1 -maxdepth 1 -type d -name '.vaecos-*.en-cours' -print0)
PREVIOUS="$(find "$DEST" -mindepth 1 -maxdepth 1 -type d -name 'vaecos-*' | sort | tail -n 1)"

cleanup() {
  # An interrupted backup leaves nothing that could be taken for a complete one.
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/fichiers"

echo "Sauvegarde de la base…"
pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --dbname="$DB_URL" --file="$WORK/base.dump"

# The files after the database: every file a row of the dump refers to is then already
# stored (only one deleted during the backup could be missing).
if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
  echo "Copie des fichiers du bucket « $AWS_STORAGE_BUCKET_NAME »…"
  reference=()
  [ -n "$PREVIOUS" ] && reference=(--reference "$PREVIOUS/fichiers")
  "$PYTHON" "$ROOT/ops/s3_sync.py" download "$WORK/fichiers" "${reference[@]}"
  SOURCE="s3://$AWS_STORAGE_BUCKET_NAME (${AWS_S3_ENDPOINT_URL:-AWS})"
else
  MEDIA_ROOT="${MEDIA_ROOT:-$ROOT/var/media}"
  echo "Copie des fichiers de $MEDIA_ROOT…"
  if [ -d "$MEDIA_ROOT" ]; then
    if command -v rsync >/dev/null; then
      link=()
      [ -n "$PREVIOUS" ] && link=(--link-dest "$PREVIOUS/fichiers")
      rsync -a "${link[@]}" "$MEDIA_ROOT/" "$WORK/fichiers/"
    else
      cp -a "$MEDIA_ROOT/." "$WORK/fichiers/"
    fi
  else
    echo "Attention : $MEDIA_ROOT n'existe pas (aucun fichier déposé ?)." >&2
  fi
  SOURCE="$MEDIA_ROOT"
fi

echo "Empreintes…"
# NUL-separated names: a file name may hold a newline (sha256sum escapes it in SHA256SUMS).
(
  cd "$WORK"
  { printf 'base.dump\0'; find fichiers -type f -print0 | LC_ALL=C sort -z; } \
    | xargs -0 sha256sum > SHA256SUMS
)
FILES="$(find "$WORK/fichiers" -type f -printf . | wc -c | tr -d ' ')"
{
  echo "Sauvegarde VAE COS"
  echo "date : $(date -Iseconds)"
  echo "base : $DB_URL"
  echo "fichiers : $SOURCE ($FILES fichiers)"
  echo "pg_dump : $(pg_dump --version)"
} > "$WORK/INFOS.txt"

mv "$WORK" "$FINAL"
trap - EXIT
echo "Sauvegarde terminée : $FINAL (base.dump, $FILES fichiers)."

if [ "$KEEP_DAYS" -gt 0 ]; then
  find "$DEST" -mindepth 1 -maxdepth 1 -type d -name 'vaecos-*' ! -path "$FINAL" \
    -mtime +"$KEEP_DAYS" -print -exec rm -rf {} + \
    | sed 's/^/Ancienne sauvegarde supprimée : /'
fi

#!/usr/bin/env bash
# Restauration de VAE COS à partir d'un dossier produit par ops/backup.sh.
#
# Usage : ops/restore.sh DOSSIER_DE_SAUVEGARDE
#
# Cible : les variables d'environnement de l'application, comme pour ops/backup.sh.
#   - DATABASE_URL : une base PostgreSQL existante et VIDE (createdb vaecos_restauree) ;
#   - les fichiers : MEDIA_ROOT (absent ou vide), ou le bucket AWS_STORAGE_BUCKET_NAME (vide)
#     avec AWS_S3_ENDPOINT_URL, AWS_S3_REGION_NAME, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
# Rien n'est écrasé : une base ou un stockage qui contient déjà quelque chose est refusé.
# Le mot de passe de DATABASE_URL est passé à psql et pg_restore par PGPASSWORD, jamais en argument.
# Les empreintes de la sauvegarde sont vérifiées avant toute écriture ; la base est restaurée
# en une seule transaction (tout ou rien), puis les fichiers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="python3"

fail() {
  echo "ERREUR : $*" >&2
  exit 1
}

[ $# -eq 1 ] || fail "usage : ops/restore.sh DOSSIER_DE_SAUVEGARDE"
BACKUP="$(cd "$1" 2>/dev/null && pwd)" || fail "le dossier « $1 » n'existe pas."
for part in base.dump SHA256SUMS fichiers; do
  [ -e "$BACKUP/$part" ] || fail "$BACKUP n'est pas une sauvegarde complète ($part manque)."
done
DATABASE_URL="${DATABASE_URL:-}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  "") fail "DATABASE_URL n'est pas défini : indiquez la base PostgreSQL où restaurer." ;;
  *) fail "DATABASE_URL doit désigner une base PostgreSQL (postgres://…)." ;;
esac
for tool in pg_restore psql; do
  command -v "$tool" >/dev/null || fail "$tool est introuvable (paquet postgresql-client)."
done

. "$ROOT/ops/database_url.sh"  # sets DB_URL (no password) and exports PGPASSWORD

echo "Vérification des empreintes de la sauvegarde…"
(cd "$BACKUP" && sha256sum --check --quiet --strict SHA256SUMS) \
  || fail "la sauvegarde est abîmée : des fichiers ne correspondent plus à SHA256SUMS."
# Every file of the backup is listed (a file added by hand would be restored unchecked).
listed="$(cd "$BACKUP" && find fichiers -type f -printf . | wc -c | tr -d ' ')"
expected="$(grep -c ' fichiers/' "$BACKUP/SHA256SUMS" || true)"
[ "$listed" = "$expected" ] || fail "la sauvegarde contient $listed fichiers, SHA256SUMS en liste $expected."

echo "Vérification de la cible…"
tables="$(psql --dbname="$DB_URL" --no-psqlrc --tuples-only --no-align --command \
  "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')")" \
  || fail "impossible de se connecter à la base cible (créez-la d'abord : createdb …)."
[ "$tables" = "0" ] || fail "la base cible n'est pas vide ($tables objets) : restaurez dans une base neuve."

if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
  present="$("$PYTHON" "$ROOT/ops/s3_sync.py" count)"
  [ "$present" = "0" ] \
    || fail "le bucket « $AWS_STORAGE_BUCKET_NAME » n'est pas vide ($present objets) : restaurez dans un bucket vide."
else
  MEDIA_ROOT="${MEDIA_ROOT:-$ROOT/var/media}"
  if [ -d "$MEDIA_ROOT" ] && [ -n "$(find "$MEDIA_ROOT" -mindepth 1 -print -quit)" ]; then
    fail "$MEDIA_ROOT n'est pas vide : restaurez dans un dossier vide ou absent."
  fi
fi

echo "Restauration de la base…"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DB_URL" "$BACKUP/base.dump"

FILES="$(find "$BACKUP/fichiers" -type f -printf . | wc -c | tr -d ' ')"
if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
  echo "Envoi des fichiers dans le bucket « $AWS_STORAGE_BUCKET_NAME »…"
  "$PYTHON" "$ROOT/ops/s3_sync.py" upload "$BACKUP/fichiers"
else
  echo "Copie des fichiers dans $MEDIA_ROOT…"
  mkdir -p "$MEDIA_ROOT"
  if command -v rsync >/dev/null; then
    rsync -a "$BACKUP/fichiers/" "$MEDIA_ROOT/"
  else
    cp -a "$BACKUP/fichiers/." "$MEDIA_ROOT/"
  fi
fi

echo "Restauration terminée : base et $FILES fichiers."
echo "Ensuite : python manage.py migrate (si le code est plus récent que la sauvegarde), puis démarrez les serveurs."

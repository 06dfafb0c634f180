# Sourced by ops/backup.sh and ops/restore.sh (needs $PYTHON, $DATABASE_URL and fail()).
#
# libpq gets the password through PGPASSWORD: on a command line (pg_dump --dbname=…) it would
# show in the process list to every user of the machine. DB_URL is DATABASE_URL without it
# (neither in the user part nor as ?password=), to use on command lines; the URL reaches
# Python by the environment, not as an argument, for the same reason.
split_database_url() {
  "$PYTHON" - <<'PY'
import os
import sys
from urllib.parse import unquote, urlsplit, urlunsplit

parts = urlsplit(os.environ["DATABASE_URL"])
userinfo, at, hostport = parts.netloc.rpartition("@")
user, _, password = userinfo.partition(":")
password = unquote(password)
query = []
for field in parts.query.split("&") if parts.query else []:
    name, _, value = field.partition("=")
    if unquote(name) == "password":
        password = unquote(value)
    else:
        query.append(field)  # kept as written: libpq decodes it
netloc = f"{user}@{hostport}" if user else hostport
url = urlunsplit(parts._replace(netloc=netloc, query="&".join(query)))
sys.stdout.write(f"{url}\0{password}\0")
PY
}
{ IFS= read -r -d '' DB_URL && IFS= read -r -d '' DB_PASSWORD; } \
  < <(DATABASE_URL="$DATABASE_URL" split_database_url) || fail "DATABASE_URL est illisible."
if [ -n "$DB_PASSWORD" ]; then
  export PGPASSWORD="$DB_PASSWORD"
fi
unset DB_PASSWORD

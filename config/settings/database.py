"""Database: SQLite file by default, anything dj-database-url reads from DATABASE_URL."""

import dj_database_url

from config.env import BASE_DIR, env, env_int

_LOCAL_DB = BASE_DIR / "var" / "db.sqlite3"
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{_LOCAL_DB}")
if not env("DATABASE_URL"):
    _LOCAL_DB.parent.mkdir(exist_ok=True)

_default = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
if _default["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE transactions take the write
    # lock up front so concurrent autosaves queue instead of failing with "database is locked".
    _default["CONN_MAX_AGE"] = 0
    _default["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    _default["CONN_HEALTH_CHECKS"] = True

DATABASES = {"default": _default}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

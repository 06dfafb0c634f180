"""Background and scheduled work: Django's tasks framework with the django-tasks-db backend.

Tasks are stored in the database (the `django_tasks_db` app and its migrations) and run by
`manage.py db_worker`; `make run` starts that worker beside the server. The tests switch to the
immediate backend (config/django/test.py).
"""

from config.env import env_int

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# How often, in seconds, `manage.py admissibility_checks --enqueue --every` enqueues the
# admissibility checks (silence means yes, validity reminders, expiry).
ADMISSIBILITY_CHECK_INTERVAL = env_int("ADMISSIBILITY_CHECK_INTERVAL", 3600)

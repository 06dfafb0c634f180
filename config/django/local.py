"""Local development (make run): debug on, demo accounts shown on the login page."""

from config.django.base import *  # noqa: F403
from config.env import env_bool

DEBUG = env_bool("DEBUG", True)
SHOW_DEMO_ACCOUNTS = env_bool("SHOW_DEMO_ACCOUNTS", True)

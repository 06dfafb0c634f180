"""The coaching and jury tests' objects: a coached candidate, a session whose jury has their
transmitted dossier."""

from tests.coaching.conftest import coach, coached, institut  # noqa: F401
from tests.jury.conftest import member, president, registration, session_jury  # noqa: F401

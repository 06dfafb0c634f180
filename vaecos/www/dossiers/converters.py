"""The field key in the Livret 2's URLs and forms: its one canonical spelling only.

`dossier_fields.parse_key` takes the situation's id with `str.isdigit()`, which is also true of
other digits than 0-9: "situation.².title" then fails in `int()` (a server error), and
"situation.١.title" names situation 1 under another key, so its revisions would be kept under
a second history. A key is a field of the dossier, or of a situation given by its id in ASCII
digits; anything else matches no page (404) and no form, and the autosave answers it as an
unknown field (400, as the script expects).
"""

import re

from django.urls import register_converter

FIELD_KEY = re.compile(r"dossier\.[a-z_]+|situation\.[0-9]{1,18}\.[a-z_]+")


def is_field_key(raw: str) -> bool:
    return FIELD_KEY.fullmatch(raw) is not None


class FieldKeyConverter:
    regex = FIELD_KEY.pattern

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FieldKeyConverter, "field_key")

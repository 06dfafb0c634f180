"""Hostile files through the real upload pages: never a server error, nothing half-written.

Hypothesis draws the files (tests/fuzz/files.py: valid PDFs, PNGs, JPEGs and Word files, the
hostile corpus, all of them damaged in many ways, random bytes, empty files, small zip bombs),
their names (control characters, path separators, Unicode, wrong or no extension, 1,000
characters) and the other fields of each form, then posts them as a browser or a robot would.

For each upload the answer is a redirect with one message in French, or a page with the error
in French (the Word import), and:
- a file is kept exactly when the platform's own check (check_upload, or the Word reader)
  accepts it, and the refusal shown is the check's message;
- a kept file has one row and one stored file, byte for byte what was sent;
- a refused one leaves no row and no file in storage.
"""

import hashlib
import html
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from tests.admissibility.factories import ready_request
from tests.documents import docx_samples
from tests.dossiers.factories import dossier_for
from tests.fuzz.files import FILE_NAMES, NAME_STYLES, any_file, multipart, seeds, word_file
from tests.fuzz.helpers import (
    FUZZ_FILES,
    TEXT_WITH_NUL,
    field_value,
    flashed,
    looks_french,
    no_server_error,
    signed_in,
)
from vaecos.admissibility.models import SupportingDocument
from vaecos.documents import docx_import
from vaecos.documents.models import ImportStatus, Livret2Import, UnplacedFragment
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import Attachment, AttachmentKind
from vaecos.dossiers.uploads import UploadRejected, check_upload, clean_name
from vaecos.www.admissibility import forms as admissibility_forms


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def post_file(
    client, url: str, fields: dict[str, str], field: str, name: str, content: bytes, style
):
    """Post the form as a browser or a robot writes it. A raw name keeps everything but the
    line breaks, which would end the part's header and change the file's bytes."""
    if style == "raw":
        name = name.replace("\r", "").replace("\n", "")
    body, content_type = multipart(fields, {field: (name, content)}, name_style=style)
    return no_server_error(client, url, body, keep_nul=True, content_type=content_type)


UNREADABLE = "La plateforme n'a pas pu lire cette demande."


def unreadable(response) -> bool:
    """Django could not parse the body (a part's headers too long…): the French 400 page."""
    return response.status_code == 400 and UNREADABLE in response.content.decode()


def received(response, field: str):
    """The file as the view got it (Django's parser cleans the name), or None."""
    return response.wsgi_request.FILES.get(field)


def verdict(name: str, content: bytes, used: int) -> str | None:
    """What check_upload says of this file: None if accepted, else its refusal."""
    try:
        check_upload(SimpleUploadedFile(name, content), dossier_used_bytes=used)
    except UploadRejected as refused:
        return refused.message
    return None


def assert_kept_whole(row, content: bytes, before: set[str], name: str) -> None:
    """One row, one stored file: byte for byte what was sent, under a name of ours."""
    assert stored_files() - before == {row.file.name}
    with row.file.open("rb") as handle:
        assert handle.read() == content
    assert (row.size, row.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    assert row.original_name == clean_name(name, extension[row.content_type])


# --- Livret 2 attachments ----------------------------------------------------------------------


def situation_named(raw: str | None, dossier) -> int | str | None:
    """The situation a form's `situation` field names, as the view reads it: "none" when the
    field is absent or empty, None when it names no situation of this dossier."""
    if not raw:
        return "none"
    try:
        pk = int(raw)
    except ValueError:
        return None
    return pk if 0 <= pk < 2**31 and dossier.situations.filter(pk=pk).exists() else None


@pytest.fixture
def livret2(referentiel, candidate, situation, dossier):
    """The candidate's dossier, one of its situations, and a situation of someone else's."""
    other = dossier_for(referentiel)
    activity = other.referentiel_version.activities.get(number=1)
    theirs = dossier_services.situation_add(
        dossier=other, activity=activity, by=other.case.candidate
    )
    return dossier, situation, theirs


# A file kept, each run: the check of what is stored does not depend on the draw.
@example(
    content=seeds()["pdf"], name="cv.pdf", style="browser", kind="cv", where="motivation", junk=""
)
@example(
    content=seeds()["png"], name="a/b\\c\x07.png", style="raw", kind="evidence",
    where="situation", junk="",
)  # fmt: skip
@FUZZ_FILES
@given(
    content=any_file(),
    name=FILE_NAMES,
    style=NAME_STYLES,
    kind=st.sampled_from(AttachmentKind.values)
    | st.sampled_from(["cv", "evidence"])
    | TEXT_WITH_NUL,
    where=st.sampled_from(["motivation", "situation"] * 2 + ["someone else's", "junk"]),
    junk=TEXT_WITH_NUL,
)
def test_a_livret2_attachment(candidate, livret2, content, name, style, kind, where, junk):
    owner = signed_in(candidate)  # a new session: no message left from an example before
    dossier, situation, theirs = livret2
    fields = {"kind": kind}
    situation_pk = {"situation": situation.pk, "someone else's": theirs.pk}.get(where)
    if where != "motivation":
        fields["situation"] = str(situation_pk) if situation_pk else junk
    rows = set(Attachment.objects.values_list("pk", flat=True))
    used = sum(Attachment.objects.filter(dossier=dossier).values_list("size", flat=True))
    before = stored_files()

    response = post_file(
        owner, reverse("dossiers:attachment_add", args=[dossier.pk]), fields, "file", name,
        content, style,
    )  # fmt: skip

    new = list(Attachment.objects.exclude(pk__in=rows))
    if unreadable(response):
        event("unreadable body")
        assert (new, stored_files()) == ([], before)
        return
    target = situation_named(fields.get("situation"), dossier)
    if target is None:
        event("not a situation of this dossier")
        # Not a situation of this dossier: 404, as for any other object that is not theirs.
        assert response.status_code == 404
        assert (new, stored_files()) == ([], before)
        return
    assert response.status_code == 302
    upload = received(response, "file")
    refusal = verdict(upload.name, content, used) if upload is not None else "no file"
    in_situation = target != "none"
    kind_ok = kind in AttachmentKind.values and not (kind == "cv" and in_situation)
    messages = flashed(response)
    if upload is not None and kind_ok and refusal is None:
        event("kept")
        [row] = new
        assert_kept_whole(row, content, before, upload.name)
        assert (row.kind, row.situation_id) == (kind, situation.pk if in_situation else None)
        assert messages == [("success", f"« {row.original_name} » a été ajouté.")]
    else:
        assert (new, stored_files()) == ([], before)
        [(level, message)] = messages
        event("refused")
        assert level == "error" and looks_french(message), message
        if upload is not None and kind_ok:
            assert message == refusal


# --- Livret 1 supporting documents -------------------------------------------------------------


@pytest.fixture
def admissibility_request(referentiel, candidate):
    return ready_request(referentiel, candidate=candidate)


# The fields of the upload form besides the file, read from the form the page shows (the kind of
# document today): a field added there is fuzzed too.
SUPPORTING_FORM = admissibility_forms.SupportingKindForm


@example(content=seeds()["jpeg"], name="diplôme.jpeg", style="rfc2231", fields={"type": "diplome"})
@FUZZ_FILES
@given(
    content=any_file(),
    name=FILE_NAMES,
    style=NAME_STYLES,
    fields=st.fixed_dictionaries(
        {}, optional={k: field_value(f) for k, f in SUPPORTING_FORM.base_fields.items()}
    ),
)
def test_a_livret1_supporting_document(
    candidate, admissibility_request, content, name, style, fields
):
    owner = signed_in(candidate)  # a new session: no message left from an example before
    rows = set(SupportingDocument.objects.values_list("pk", flat=True))
    used = sum(admissibility_request.documents.values_list("size", flat=True))
    before = stored_files()

    response = post_file(
        owner, reverse("admissibility:document_add", args=[admissibility_request.pk]), fields,
        "fichier", name, content, style,
    )  # fmt: skip

    new = list(SupportingDocument.objects.exclude(pk__in=rows))
    if unreadable(response):
        event("unreadable body")
        assert (new, stored_files()) == ([], before)
        return
    assert response.status_code == 302
    upload = received(response, "fichier")
    refusal = verdict(upload.name, content, used) if upload is not None else "no file"
    # A client that sends no field but the file gets the default answer for each of them.
    form_ok = SUPPORTING_FORM({**dict.fromkeys(SUPPORTING_FORM.base_fields, "autre"), **fields})
    messages = flashed(response)
    if upload is not None and refusal is None and form_ok.is_valid():
        event("kept")
        [row] = new
        assert_kept_whole(row, content, before, upload.name)
        [(level, message)] = messages
        assert level == "success" and message.endswith(" est joint à la demande."), message
    else:
        assert (new, stored_files()) == ([], before)
        [(level, message)] = messages
        event("refused")
        assert level == "error" and looks_french(message), message
        if upload is not None and form_ok.is_valid():
            assert message == refusal


# --- Livret 2 written in Word ------------------------------------------------------------------


def word_verdict(content: bytes) -> str | None:
    """What the Word reader says of this file: None if it reads it, else its refusal."""
    try:
        docx_import.check_docx(content)
    except docx_import.DocxRejected as refused:
        return refused.message
    return None


@example(
    content=docx_samples.official_sample(), name="livret2.docx", style="browser",
    action="import_confirm", targets=["dossier.context", "\x00"],
)  # fmt: skip
@FUZZ_FILES
@given(
    content=word_file(),
    name=FILE_NAMES,
    style=NAME_STYLES,
    action=st.sampled_from(["import_confirm", "import_cancel"]),
    targets=st.lists(
        st.sampled_from(["dossier.context", "dossier.motivation_reasons"]) | TEXT_WITH_NUL,
        max_size=3,
    ),
)
def test_a_livret2_written_in_word(candidate, dossier, content, name, style, action, targets):
    """Upload, then confirm the import and place what it could not: never a server error."""
    owner = signed_in(candidate)  # a new session: no message left from an example before
    imports = set(Livret2Import.objects.values_list("pk", flat=True))
    before = stored_files()

    response = post_file(
        owner, reverse("documents:import_upload", args=[dossier.pk]), {}, "fichier", name,
        content, style,
    )  # fmt: skip

    new = list(Livret2Import.objects.exclude(pk__in=imports))
    assert stored_files() == before  # the Word file itself is never stored
    upload = received(response, "fichier")
    if unreadable(response):
        event("unreadable body")
        assert new == []
        return
    if response.status_code == 400:
        event("refused")
        assert new == []
        error = response.context["error"]
        assert looks_french(error), error
        assert html.escape(error) in response.content.decode()
        if upload is not None and (refusal := word_verdict(content)) is not None:
            assert error == refusal
        return
    assert response.status_code == 302 and upload is not None
    assert word_verdict(content) is None
    event("read")
    [source] = new
    assert source.sha256 == hashlib.sha256(content).hexdigest()
    assert response["Location"] == reverse("documents:import_report", args=[dossier.pk, source.pk])
    assert owner.get(response["Location"]).status_code == 200

    no_server_error(owner, reverse(f"documents:{action}", args=[dossier.pk, source.pk]), {})
    source.refresh_from_db()
    assert source.status != ImportStatus.PENDING
    fragments = UnplacedFragment.objects.filter(source=source, placed_in="", set_aside=False)
    for fragment, target in zip(fragments, targets, strict=False):
        no_server_error(
            owner,
            reverse("documents:place", args=[dossier.pk, fragment.pk]),
            {"cible": target},
            keep_nul=True,
        )

"""Every URL that takes a POST is fuzzed by a test of tests/fuzz.

The URL patterns are walked as the authorization matrix walks them; a pattern takes a POST when
its view is a class with a `post` method, or a function whose method decorator
(require_POST, require_http_methods) lets POST through or that has no such decorator at all.
Each must be listed below with the fuzz test that posts to it; a new one that is not fails this
file, so a form cannot ship without hypothesis having had a go at it.

The admin namespace (/admin/) is left out: Django's own views, for administrators only. So is
the API (/api/v1/): tests/api/test_schemathesis.py fuzzes every operation of its OpenAPI schema,
POST included, with schemathesis.

POST endpoints and their fuzz tests (`module::test`, modules of tests/fuzz):

    accounts:login                      test_account_forms::test_login
    accounts:logout                     test_account_forms::test_logout
    accounts:password_reset             test_account_forms::test_password_reset_request
    accounts:password_reset_confirm     test_account_forms::test_password_reset_new_password
    accounts:second_factor              test_account_forms::test_second_factor
    accounts:second_factor_setup        test_account_forms::test_second_factor
    accounts:second_factor_codes        test_account_forms::test_second_factor
    dossiers:header                     test_dossier_forms::test_the_candidates_dossier_forms
    dossiers:situation_add              test_post_sweep::test_an_action_never_fails
    dossiers:situation_options          test_dossier_forms::test_the_candidates_dossier_forms
    dossiers:situation_delete           test_post_sweep::test_an_action_never_fails
    dossiers:field_save                 test_dossier_forms::test_the_candidates_dossier_forms
    dossiers:field_restore              test_post_sweep::test_an_action_never_fails
    dossiers:attachment_add             test_uploads::test_a_livret2_attachment
    dossiers:attachment_delete          test_post_sweep::test_an_action_never_fails
    dossiers:finalize                   test_post_sweep::test_an_action_never_fails
    dossiers:reopen                     test_post_sweep::test_an_action_never_fails
    documents:import_upload             test_uploads::test_a_livret2_written_in_word
    documents:import_confirm            test_uploads::test_a_livret2_written_in_word
    documents:import_cancel             test_uploads::test_a_livret2_written_in_word
    documents:place                     test_uploads::test_a_livret2_written_in_word
    documents:set_aside                 test_post_sweep::test_an_action_never_fails
    pii:replace                         test_pii_actions::test_replace_dismiss_and_cancel
    pii:replace_all                     test_pii_actions::test_replace_dismiss_and_cancel
    pii:dismiss                         test_pii_actions::test_replace_dismiss_and_cancel
    pii:dismissal_cancel                test_pii_actions::test_replace_dismiss_and_cancel
    pii:file_redact                     test_pii_actions::test_the_file_actions_in_any_order
    pii:file_confirm                    test_pii_actions::test_the_file_actions_in_any_order
    pii:file_discard                    test_pii_actions::test_the_file_actions_in_any_order
    pii:file_eye_check                  test_pii_actions::test_the_file_actions_in_any_order
    admissibility:start                 test_post_sweep::test_an_action_never_fails
    admissibility:identity              test_admissibility_forms::test_the_candidates_forms
    admissibility:sworn                 test_admissibility_forms::test_the_candidates_forms
    admissibility:experience_add        test_admissibility_forms::test_the_candidates_forms
    admissibility:experience            test_post_sweep::test_an_action_never_fails
    admissibility:experience_delete     test_post_sweep::test_an_action_never_fails
    admissibility:document_add          test_uploads::test_a_livret1_supporting_document
    admissibility:document_delete       test_post_sweep::test_an_action_never_fails
    admissibility:submit                test_post_sweep::test_an_action_never_fails
    admissibility:instruct              test_admissibility_forms::test_the_instruction_form
    coaching:declare                    test_issue6_forms::test_coaching_declaration
    coaching:assign                     test_post_sweep::test_an_action_never_fails
    coaching:thread_open                test_issue6_forms::test_comment_threads
    coaching:reopen_request             test_post_sweep::test_an_action_never_fails
    coaching:thread_reply               test_issue6_forms::test_comment_threads
    coaching:thread_resolve             test_post_sweep::test_an_action_never_fails
    evaluation:create                   test_issue6_forms::test_session_create_and_edit
    evaluation:edit                     test_issue6_forms::test_session_create_and_edit
    evaluation:delete                   test_post_sweep::test_an_action_never_fails
    evaluation:register_case            test_issue6_forms::test_jury_registration_and_transmission
    evaluation:convene_session          test_post_sweep::test_an_action_never_fails
    evaluation:jury_add                 test_issue6_forms::test_jury_registration_and_transmission
    evaluation:jury_update              test_post_sweep::test_an_action_never_fails
    evaluation:jury_remove              test_post_sweep::test_an_action_never_fails
    evaluation:register                 test_post_sweep::test_an_action_never_fails
    evaluation:withdraw                 test_post_sweep::test_an_action_never_fails
    evaluation:convene                  test_post_sweep::test_an_action_never_fails
    evaluation:transmit                 test_issue6_forms::test_jury_registration_and_transmission
    jury:grid_save                      test_issue6_forms::test_jury_grid_notes_votes_and_decision
    jury:notes_save                     test_issue6_forms::test_jury_grid_notes_votes_and_decision
    jury:vote                           test_issue6_forms::test_jury_grid_notes_votes_and_decision
    jury:deliberate                     test_issue6_forms::test_jury_grid_notes_votes_and_decision
    jury:reopen                         test_post_sweep::test_an_action_never_fails
    jury:sign                           test_post_sweep::test_an_action_never_fails
    jury:new_attempt                    test_post_sweep::test_an_action_never_fails
"""

import importlib
import inspect
import re
from collections.abc import Callable
from typing import Any

from django.urls import get_resolver

from tests.www.test_authorization_matrix import Entry, walk

LEFT_OUT_NAMESPACES = {"admin", "api"}
LISTED = re.compile(r"^ {4}(\S+:\S+) +(test_\w+)::(test_\w+)$", re.MULTILINE)
COVERAGE: dict[str, tuple[str, str]] = {
    key: (module, test) for key, module, test in LISTED.findall(__doc__ or "")
}


def allowed_methods(view: Callable[..., Any]) -> set[str] | None:
    """The HTTP methods a view answers, from its class or its method decorator; None when
    nothing restricts them (the view then takes a POST like any other request)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    layer: Any = view
    while layer is not None:
        layer = getattr(layer, "func", layer)  # a functools.partial: the function it calls
        if getattr(layer, "__closure__", None):
            found = inspect.getclosurevars(layer).nonlocals.get("request_method_list")
            if found is not None:
                return {m.upper() for m in found}
        layer = getattr(layer, "__wrapped__", None)
    return None


def takes_post(entry: Entry) -> bool:
    methods = allowed_methods(entry.pattern.callback)
    return methods is None or "POST" in methods


POST_ENTRIES = [
    entry
    for entry in walk(get_resolver().url_patterns)
    if entry.namespace not in LEFT_OUT_NAMESPACES and takes_post(entry)
]


def test_the_docstring_lists_each_url_once():
    keys = [key for key, _, _ in LISTED.findall(__doc__ or "")]
    assert len(keys) == len(set(keys)), "a URL is listed twice in the docstring"
    assert len(keys) > 50, "the docstring's list was not read"


def test_every_url_that_takes_a_post_has_a_fuzz_test():
    missing = [f"{e.key}  ({e.route})" for e in POST_ENTRIES if e.key not in COVERAGE]
    assert not missing, (
        "These URLs take a POST and no fuzz test posts to them. Write one in tests/fuzz (the "
        "form's own field names, hypothesis' values; test_post_sweep.py's SWEPT takes the "
        "actions without a form) and list it in tests/fuzz/test_coverage.py's docstring:\n  "
        + "\n  ".join(missing)
    )


def test_every_listed_url_still_takes_a_post():
    posted = {e.key for e in POST_ENTRIES}
    stale = sorted(set(COVERAGE) - posted)
    assert not stale, f"Listed in the docstring, but no such URL takes a POST any more: {stale}"


def test_every_listed_test_exists_and_names_its_url():
    """The test is a hypothesis test, and its module names the URL (its full name, or the
    name inside its namespace, as f"pii:{action}" is built from "replace")."""
    problems = []
    for key, (module_name, test_name) in sorted(COVERAGE.items()):
        module = importlib.import_module(f"tests.fuzz.{module_name}")
        test = getattr(module, test_name, None)
        if test is None or not getattr(test, "is_hypothesis_test", False):
            problems.append(f"{key}: {module_name}::{test_name} is not a hypothesis test")
            continue
        source = inspect.getsource(module)
        name = key.split(":", 1)[1]
        if f'"{key}"' not in source and f'"{name}"' not in source:
            problems.append(f"{key}: {module_name} never names it")
    assert not problems, "\n".join(problems)


def test_the_sweep_posts_to_what_the_docstring_says():
    """The sweep names every URL in one dict: the module naming it is not enough."""
    from tests.fuzz.test_post_sweep import SWEPT

    swept = {key for key, (module, _) in COVERAGE.items() if module == "test_post_sweep"}
    assert swept <= set(SWEPT), swept - set(SWEPT)


def test_the_walk_tells_post_from_get():
    """What the detection says of views whose methods are known."""
    by_key = {e.key: e for e in walk(get_resolver().url_patterns)}
    posts = {key for key in by_key if takes_post(by_key[key])}

    assert {"dossiers:field_save", "accounts:login", "dossiers:header"} <= posts  # header: any
    assert not {"dossiers:overview", "www:home", "accounts:my_data_download"} & posts

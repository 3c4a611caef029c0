"""What the audit trail's action codes mean (intake.audit.ACTION_SENTENCES): every code the
code base writes has a sentence, in Dutch first, with the event's data filled in."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from intake.audit import ACTION_SENTENCES, action_sentence
from intake.kernel.enums import Phase
from intake.models import AuditEvent
from intake.workflow import _ACTIONS, TRANSITIONS

ROOT = Path(__file__).resolve().parents[2]
# action="x.y", or the codes of a conditional: action="x.y" if ... else "x.z"
_LITERAL = re.compile(r'action=("[a-z_]+\.[a-z_]+"(?:\s+if\s+[^\n]+?\s+else\s+"[a-z_]+\.[a-z_]+")?)')


def _codes_written_by_the_code_base() -> set[str]:
    codes = set()
    for package in ("intake", "reviews"):
        for path in (ROOT / package).rglob("*.py"):
            for match in _LITERAL.finditer(path.read_text(encoding="utf-8")):
                codes.update(re.findall(r'"([a-z_]+\.[a-z_]+)"', match.group(1)))
    # workflow.transition: "<model>.<to state>" unless _ACTIONS names the transition.
    for model, pairs in TRANSITIONS.items():
        for from_state, to_state in pairs:
            codes.add(_ACTIONS.get((model, from_state, to_state), f"{model._meta.model_name}.{to_state}"))
    codes.update(f"{phase}.late_attempt" for phase in Phase.values)
    return codes


def test_every_action_code_written_has_a_sentence():
    codes = _codes_written_by_the_code_base()
    # The scan finds the services' codes (a sanity check on the scan itself).
    assert {"mandates.imported", "review.scores_submitted", "extension.changed", "dossier.submitted"} <= codes
    assert sorted(codes - set(ACTION_SENTENCES)) == []


@pytest.mark.parametrize(
    ("action", "data", "dutch", "english"),
    [
        ("dossier.submitted", {}, "Het dossier werd ingediend.", "The dossier was submitted."),
        (
            "dossier.resubmitted",
            {},
            "Een nieuwe versie van het dossier werd ingediend.",
            "A new version of the dossier was submitted.",
        ),
        (
            "mandates.imported",
            {"imported": 32, "errors": 0},
            "32 mandaterende ondernemingen werden geïmporteerd uit een CSV-bestand.",
            "32 mandating enterprises were imported from a CSV file.",
        ),
        ("attachment.uploaded", {"name": "begroting.xlsx"}, "De bijlage “begroting.xlsx” werd opgeladen.", None),
    ],
)
def test_action_sentence_in_dutch_and_english(action, data, dutch, english):
    event = AuditEvent(action=action, data=data)
    with translation.override("nl"):
        assert action_sentence(event) == dutch
    if english:
        with translation.override("en"):
            assert action_sentence(event) == english


def test_action_sentence_without_the_data_it_names_still_reads():
    with translation.override("nl"):
        assert action_sentence(AuditEvent(action="attachment.uploaded", data={})) == "De bijlage “…” werd opgeladen."


def test_an_unknown_action_code_is_shown_as_it_is():
    assert action_sentence(AuditEvent(action="something.new", data={})) == "something.new"

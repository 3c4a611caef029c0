"""The review page of a dossier reads in the applicant's words (issue 12, item 10): the
applicant form's labels in the form's order, numbers in Belgian notation, the audit trail
as sentences, the mandates as one count with the list on demand, and of the budget rules
only the failing ones in view."""

import re
from decimal import Decimal

from intake.models import Call
from tests.intake.dossier_helpers import GOVERNANCE, NETWORK
from tests.reviews.review_helpers import sign_in


def _page(client, review) -> str:
    sign_in(client, review.manager)
    response = client.get(review.url("dossier"))
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    """What a reader sees: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _section(page: str, heading: str) -> str:
    """The HTML after the <h2> ``heading`` up to the next <h2>."""
    start = page.index(f">{heading}</h2>")
    end = page.find("<h2", start)
    return page[start:end]


def _details(html: str, css_class: str) -> tuple[str, str]:
    """(opening tag, content) of the <details> with ``css_class``."""
    match = re.search(rf'(<details class="[^"]*\b{css_class}\b[^"]*"[^>]*>)(.*?)</details>', html, re.S)
    assert match, f"no <details class={css_class}>"
    return match.group(1), match.group(2)


def test_network_and_governance_show_the_form_labels_in_the_form_order(client, review):
    page = _page(client, review)

    network = re.findall(r"<dt>(.*?)</dt>", _section(page, "Het netwerk"))
    # The applicant's form (NetworkForm), in its order — not the snapshot's sorted keys
    # (additionality, international_orientation, priority_fit, theme, value_chain).
    assert network == [
        "Thema van het netwerk",
        "Aansluiting bij de gekozen beleidsprioriteit",
        "Waardeketen",
        "Internationale oriëntatie",
        "Waarom een netwerk (additionaliteit)",
    ]
    governance = re.findall(r"<dt>(.*?)</dt>", _section(page, "Bestuur"))
    assert governance == ["Bestuursorgaan van de clusterorganisatie", "Personeel (VTE)", "Hoe de leden de cluster sturen"]
    assert "additionality" not in page
    assert "board_composition" not in page
    assert NETWORK["theme"] in page


def test_staff_is_written_as_belgian_fte(client, review):
    assert GOVERNANCE["staff_fte"] == Decimal("2.50")

    governance = _text(_section(_page(client, review), "Bestuur"))

    assert "Personeel (VTE) 2,5 VTE" in governance
    assert "2.50" not in governance


def test_audit_trail_is_dutch_sentences_not_action_codes(client, review):
    trail = _text(_section(_page(client, review), "Auditspoor"))

    assert "Het dossier werd ingediend." in trail
    assert "30 mandaterende ondernemingen werden geïmporteerd uit een CSV-bestand." in trail
    assert "De vooraanmelding werd ingediend." in trail
    assert f"door {review.applicant.email}" in trail
    for code in ("dossier.submitted", "mandates.imported", "preregistration.submitted"):
        assert code not in trail


def test_mandates_collapse_to_their_count_with_the_list_on_demand(client, review):
    section = _section(_page(client, review), "Mandaterende ondernemingen")

    opening, content = _details(section, "mandates")
    assert " open" not in opening
    summary = _text(re.search(r"<summary>(.*?)</summary>", content, re.S).group(1))
    assert summary.startswith("30 geldig (minimum 30) ✓")
    assert "toon de 30 ondernemingen" in summary
    # The 30 rows are inside the <details>, not around it.
    assert content.count("<tr>") == 31  # header + 30
    assert section.count("<tr>") == 31


def test_mandates_below_the_minimum_are_open_and_say_so(client, review):
    Call.objects.filter(pk=review.call.pk).update(min_mandating_enterprises=31)

    section = _section(_page(client, review), "Mandaterende ondernemingen")

    opening, content = _details(section, "mandates")
    assert " open" in opening
    assert _text(re.search(r"<summary>(.*?)</summary>", content, re.S).group(1)).startswith("30 geldig (minimum 31) ✗")


def test_budget_rules_that_pass_are_one_collapsed_line(client, review):
    section = _section(_page(client, review), "Begroting")

    assert "budget-rules-failed" not in section
    opening, content = _details(section, "budget-rules-passed")
    assert " open" not in opening
    assert _text(re.search(r"<summary>(.*?)</summary>", content, re.S).group(1)).startswith(
        "14 van 14 begrotingsregels voldaan ✓"
    )
    assert content.count("<li>") == 14


def test_only_failing_budget_rules_are_expanded(client, review):
    # The ceiling drops below the 125 000 requested per year: three rules fail, eleven pass.
    Call.objects.filter(pk=review.call.pk).update(max_subsidy_per_year=Decimal("100000"))

    section = _section(_page(client, review), "Begroting")

    failed = re.search(r'<ul class="[^"]*budget-rules-failed[^"]*">(.*?)</ul>', section, re.S).group(1)
    failed_rules = [_text(item) for item in re.findall(r"<li>(.*?)</li>", failed, re.S)]
    assert len(failed_rules) == 3
    assert all("plafond van € 100.000,00" in rule and rule.startswith("✗") for rule in failed_rules)
    # The failing list is not inside a <details>: it is in view.
    assert section.index("budget-rules-failed") < section.index("<details")
    opening, content = _details(section, "budget-rules-passed")
    assert " open" not in opening
    assert "11 van 14 begrotingsregels voldaan" in _text(content)
    assert "plafond van € 100.000,00" not in content

"""The list of a call's applications: exports that Excel in a Belgian locale opens as they
are (CSV: UTF-8 with BOM and semicolons; XLSX), filters, search, sorting, pagination, and a
number of queries that does not grow with the number of applications."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.exports import _columns
from reviews.models import AdmissibilityReview, ConflictDeclaration, Decision, ReviewerAssignment, ScoreSheet
from tests.factories import OrganisationFactory, PolicyPriorityFactory, PreRegistrationFactory
from tests.reviews.review_helpers import cheap_application, make_call, make_manager, make_reviewer, sign_in

KBO = "0403019261"  # a real, valid enterprise number
KBO_DOTTED = "0403.019.261"


def _refs(response) -> list[str]:
    return [a.reference for a, _dossier in response.context["rows"]]


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _xlsx_rows(response) -> list[list[str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook.active
    rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


@pytest.fixture
def listing(db):
    """A closed call with five submitted applications and one draft, each different:

    number  organisation                    acronym  priority  dossier (state)            submitted
    1       Bravo Bouw vzw                  BRAVO    first     admissible, decided        day 3
    2       Alfa Agro vzw (KBO 0403.019.261) ALFA     second    submitted                  day 5
    3       Delta Digitaal vzw              DELTA    first     — (pre-registration only)  —
    4       Charlie Chemie vzw              CHEM     second    inadmissible               day 1
    5       Echo; "Energie" café vzw        ECHO     first     submitted                  day 4
    -       Draft Dromen vzw (draft)        DRAFT    first     —                          —
    """
    first, second = PolicyPriorityFactory(name="Klimaat en energie"), PolicyPriorityFactory(name="Gezondheid")
    call = make_call(priorities=[first, second])
    manager = make_manager()
    base = call.dossier_deadline - timedelta(days=10)
    rows = {}
    specs = [
        (1, "Bravo Bouw vzw", None, "BRAVO", first, "admissible", 3),
        (2, "Alfa Agro vzw", KBO, "ALFA", second, "submitted", 5),
        (3, "Delta Digitaal vzw", None, "DELTA", first, None, None),
        (4, "Charlie Chemie vzw", None, "CHEM", second, "inadmissible", 1),
        (5, 'Echo; "Energie" café vzw', None, "ECHO", first, "submitted", 4),
    ]
    for number, name, kbo, acronym, priority, state, day in specs:
        organisation = OrganisationFactory(name=name, **({"enterprise_number": kbo} if kbo else {}))
        rows[number] = cheap_application(
            call,
            number,
            organisation=organisation,
            acronym=acronym,
            policy_priority=priority,
            with_dossier=state is not None,
            dossier_state=state or "submitted",
            submitted_at=base + timedelta(days=day or 0),
        )
    for number, decision in ((1, "admissible"), (4, "inadmissible")):
        AdmissibilityReview.objects.create(dossier=rows[number].dossier, decision=decision, motivation="-", decided_by=manager)
    Decision.objects.create(dossier=rows[1].dossier, outcome="approved", motivation="Goed.", decided_by=manager)
    PreRegistrationFactory(call=call, organisation=OrganisationFactory(name="Draft Dromen vzw"), complete=True, acronym="DRAFT")
    return call, manager, rows, (first, second)


def _get(client, call, **params):
    return client.get(reverse("reviews:call", kwargs={"slug": call.slug}), params)


# --- Exports -------------------------------------------------------------------------------------


def test_export_csv_bom_semicolons_header_and_one_row_per_application(client, listing):
    call, manager, rows, _priorities = listing
    sign_in(client, manager)

    response = _get(client, call, export="csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{call.reference_prefix}-aanvragen.csv";')
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert b";" in response.content.splitlines()[0]
    header, *data = _csv_rows(response)
    assert header == [str(c) for c in _columns()]
    assert header[0] == "Referentie"
    assert "Ondernemingsnummer" in header
    assert len(header) == 12
    assert [row[0] for row in data] == [rows[n].reference for n in (1, 2, 3, 4, 5)]  # no draft
    assert all(len(row) == 12 for row in data)

    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in data}
    alfa = by_reference[rows[2].reference]
    assert alfa["Ondernemingsnummer"] == KBO_DOTTED
    assert rows[2].organisation.name in alfa.values()
    assert f"{call.reference_prefix}-DS-0002-1" in alfa.values()
    echo = by_reference[rows[5].reference]
    assert 'Echo; "Energie" café vzw' in echo.values()  # quoted, semicolon and accent intact
    delta = by_reference[rows[3].reference]
    assert f"{call.reference_prefix}-DS-0003-1" not in delta.values()


def test_export_xlsx_has_the_same_rows_as_the_csv(client, listing):
    call, manager, _rows, _priorities = listing
    sign_in(client, manager)

    csv_rows = _csv_rows(_get(client, call, export="csv"))
    response = _get(client, call, export="xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{call.reference_prefix}-aanvragen.xlsx";')
    assert _xlsx_rows(response) == csv_rows
    assert KBO_DOTTED in {cell for row in csv_rows for cell in row}


def test_export_follows_the_filters_and_ignores_pagination(client, listing, settings):
    settings.REVIEWS_PAGE_SIZE = 2
    call, manager, rows, (first, _second) = listing
    sign_in(client, manager)

    _header, *data = _csv_rows(_get(client, call, export="csv", priority=first.pk, sort="organisation"))

    assert [row[0] for row in data] == [rows[n].reference for n in (1, 3, 5)]  # Bravo, Delta, Echo


def test_export_csv_does_not_let_spreadsheets_run_formulas(client, db):
    """Applicants write the organisation name; a cell that starts with = + - @ is a formula in Excel."""
    call = make_call()
    manager = make_manager()
    cheap_application(call, 1, organisation=OrganisationFactory(name='=HYPERLINK("http://evil.example","klik")'))
    sign_in(client, manager)
    _header, row = _csv_rows(_get(client, call, export="csv"))
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize(
    "name",
    [
        ' =HYPERLINK("http://evil.example","klik")',  # a space first
        '\n=HYPERLINK("http://evil.example","klik")',  # a newline first
        '\u00a0+HYPERLINK("http://evil.example","klik")',  # a no-break space first
        '\uff1dHYPERLINK("http://evil.example","klik")',  # a full-width equals sign
        "\u3000\uff20SUM(1)",  # an ideographic space, then a full-width @
        "\u200b-1+1",  # an invisible zero-width space, then -
    ],
)
def test_export_csv_neutralises_a_formula_behind_blanks_or_in_full_width(client, db, name):
    """Spreadsheets skip leading blanks before they look for a formula, and read ＝ as =."""
    call = make_call()
    manager = make_manager()
    cheap_application(call, 1, organisation=OrganisationFactory(name=name))
    sign_in(client, manager)

    _header, row = _csv_rows(_get(client, call, export="csv"))

    assert f"'{name}" in row


# --- Search --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("alfa agro", [2]),  # organisation name, any case
        ("Chemie", [4]),
        (KBO, [2]),  # enterprise number, digits
        (KBO_DOTTED, [2]),  # enterprise number, dotted
        ("BE 0403 019 261", [2]),
        ("DELTA", [3]),  # acronym
        ("chem", [4]),
        ("{prefix}-VA-0004", [4]),  # pre-registration reference
        ("{prefix}-va-0004", [4]),
        ("{prefix}-DS-0005-1", [5]),  # dossier reference
        ("nothing like this", []),
    ],
)
def test_search(client, listing, query, numbers):
    call, manager, rows, _priorities = listing
    sign_in(client, manager)
    response = _get(client, call, q=query.format(prefix=call.reference_prefix))
    assert _refs(response) == [rows[n].reference for n in numbers]


# --- Filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "numbers"),
    [
        ({}, [1, 2, 3, 4, 5]),
        ({"phase": "preregistration"}, [3]),
        ({"phase": "dossier"}, [1, 2, 4, 5]),
        ({"state": "submitted"}, [2, 5]),
        ({"state": "admissible"}, [1]),
        ({"admissibility": "admissible"}, [1]),
        ({"admissibility": "inadmissible"}, [4]),
        ({"admissibility": "open"}, [2, 3, 5]),
        ({"phase": "dossier", "admissibility": "open"}, [2, 5]),
    ],
)
def test_filter(client, listing, params, numbers):
    call, manager, rows, _priorities = listing
    sign_in(client, manager)
    response = _get(client, call, **params)
    assert _refs(response) == [rows[n].reference for n in numbers]
    assert response.context["page"].paginator.count == len(numbers)


def test_filter_policy_priority(client, listing):
    call, manager, rows, (first, second) = listing
    sign_in(client, manager)
    assert _refs(_get(client, call, priority=first.pk)) == [rows[n].reference for n in (1, 3, 5)]
    assert _refs(_get(client, call, priority=second.pk)) == [rows[n].reference for n in (2, 4)]


def test_filter_assigned_to_me(client, listing):
    call, manager, rows, _priorities = listing
    manager_reviewer = make_manager()
    manager_reviewer.groups.add(*make_reviewer().groups.all())  # also a reviewer
    for number in (2, 4):
        services.assignment_create(call=call, reviewer=manager_reviewer, dossier=rows[number].dossier, assigned_by=manager)
    sign_in(client, manager_reviewer)

    assert _refs(_get(client, call)) == [rows[n].reference for n in (1, 2, 3, 4, 5)]  # a manager sees all
    assert _refs(_get(client, call, mine="on")) == [rows[n].reference for n in (2, 4)]


def test_filter_assigned_to_me_for_a_whole_call_assignment(client, listing):
    call, manager, rows, _priorities = listing
    reviewer = make_reviewer()
    services.assignment_create(call=call, reviewer=reviewer, assigned_by=manager)
    sign_in(client, reviewer)
    assert _refs(_get(client, call, mine="on")) == [rows[n].reference for n in (1, 2, 3, 4, 5)]


def test_filter_scored_by_me(client, listing):
    call, manager, rows, _priorities = listing
    reviewer = make_reviewer()
    services.assignment_create(call=call, reviewer=reviewer, assigned_by=manager)
    other = make_reviewer()
    ScoreSheet.objects.create(dossier=rows[2].dossier, reviewer=reviewer, submitted_at=timezone.now())
    ScoreSheet.objects.create(dossier=rows[5].dossier, reviewer=reviewer, submitted_at=None)  # draft: not scored
    ScoreSheet.objects.create(dossier=rows[4].dossier, reviewer=other, submitted_at=timezone.now())
    sign_in(client, reviewer)

    assert _refs(_get(client, call, scored="yes")) == [rows[2].reference]
    assert _refs(_get(client, call, scored="no")) == [rows[n].reference for n in (1, 3, 4, 5)]
    shown = {a.reference: a.sheets_submitted for a, _dossier in _get(client, call).context["rows"]}
    assert shown[rows[2].reference] == 1
    assert shown[rows[4].reference] == 1
    assert shown[rows[5].reference] == 0


def test_filter_sheet_count_is_not_multiplied_by_other_joins(client, listing):
    call, manager, rows, _priorities = listing
    for _ in range(3):
        ScoreSheet.objects.create(dossier=rows[2].dossier, reviewer=make_reviewer(), submitted_at=timezone.now())
    for _ in range(2):  # more assignments on the same dossier
        services.assignment_create(call=call, reviewer=make_reviewer(), dossier=rows[2].dossier, assigned_by=manager)
    sign_in(client, manager)
    response = _get(client, call, q=f"{call.reference_prefix}-DS-0002-1", phase="dossier")
    [(application, _dossier)] = response.context["rows"]
    assert application.sheets_submitted == 3


def test_filter_combined_with_search_and_invalid_values(client, listing):
    call, manager, rows, (first, _second) = listing
    sign_in(client, manager)
    assert _refs(_get(client, call, q="vzw", priority=first.pk, phase="dossier")) == [rows[n].reference for n in (1, 5)]
    # An unknown value makes the form invalid: the list is shown unfiltered, not an error.
    response = _get(client, call, priority=999999)
    assert response.status_code == 200
    assert _refs(response) == [rows[n].reference for n in (1, 2, 3, 4, 5)]


# --- Sorting -------------------------------------------------------------------------------------


def test_sort_by_reference_is_the_default(client, listing):
    call, manager, rows, _priorities = listing
    sign_in(client, manager)
    assert _refs(_get(client, call)) == [rows[n].reference for n in (1, 2, 3, 4, 5)]
    assert _refs(_get(client, call, sort="reference")) == [rows[n].reference for n in (1, 2, 3, 4, 5)]


def test_sort_by_organisation(client, listing):
    call, manager, rows, _priorities = listing
    sign_in(client, manager)
    # Alfa, Bravo, Charlie, Delta, Echo
    assert _refs(_get(client, call, sort="organisation")) == [rows[n].reference for n in (2, 1, 4, 3, 5)]


def test_sort_by_last_submitted_newest_first_and_no_dossier_last(client, listing):
    call, manager, rows, _priorities = listing
    sign_in(client, manager)
    # day 5, 4, 3, 1; the pre-registration without a dossier has nothing to sort by: last.
    assert _refs(_get(client, call, sort="submitted")) == [rows[n].reference for n in (2, 5, 1, 4, 3)]


def test_sort_by_state(client, listing):
    call, manager, rows, _priorities = listing
    sign_in(client, manager)
    refs = _refs(_get(client, call, sort="state", phase="dossier"))
    # admissible, inadmissible, submitted (2 before 5 by pk)
    assert refs == [rows[n].reference for n in (1, 4, 2, 5)]


# --- Pagination ----------------------------------------------------------------------------------


def test_pagination_pages_keep_the_filters(client, listing, settings):
    settings.REVIEWS_PAGE_SIZE = 2
    call, manager, rows, _priorities = listing
    sign_in(client, manager)

    first = _get(client, call, sort="organisation")
    second = _get(client, call, sort="organisation", page=2)
    third = _get(client, call, sort="organisation", page=3)

    assert _refs(first) == [rows[n].reference for n in (2, 1)]
    assert _refs(second) == [rows[n].reference for n in (4, 3)]
    assert _refs(third) == [rows[n].reference for n in (5,)]
    assert first.context["page"].paginator.num_pages == 3
    page = second.content.decode()
    assert "sort=organisation&amp;page=3" in page
    assert "sort=organisation&amp;page=1" in page
    assert "5 aanvragen" in page or "5 applications" in page


def test_pagination_out_of_range_and_garbage_page(client, listing, settings):
    settings.REVIEWS_PAGE_SIZE = 2
    call, manager, rows, _priorities = listing
    sign_in(client, manager)
    assert _refs(_get(client, call, page=99)) == [rows[5].reference]
    assert _refs(_get(client, call, page="x")) == [rows[n].reference for n in (1, 2)]


def test_pagination_export_links_keep_the_filters(client, listing):
    call, manager, _rows, (first, _second) = listing
    sign_in(client, manager)
    page = _get(client, call, priority=first.pk, q="vzw").content.decode()
    assert f"priority={first.pk}" in page
    assert "export=csv" in page
    assert "export=xlsx" in page


# --- Queries -------------------------------------------------------------------------------------


def _grow(call, manager, start: int, stop: int, reviewer, priorities):
    """Applications start..stop-1 in every shape the list shows."""
    for number in range(start, stop):
        shape = number % 5
        application = cheap_application(call, number, with_dossier=shape != 0, policy_priority=priorities[number % 2])
        if shape == 0:
            continue
        dossier = application.dossier
        ScoreSheet.objects.create(dossier=dossier, reviewer=reviewer, submitted_at=timezone.now() if shape != 2 else None)
        if shape in (3, 4):
            AdmissibilityReview.objects.create(dossier=dossier, decision="admissible", motivation="-", decided_by=manager)
        if shape == 4:
            Decision.objects.create(dossier=dossier, outcome="rejected", motivation="-", decided_by=manager)
        ReviewerAssignment.objects.create(call=call, reviewer=reviewer, dossier=dossier, assigned_by=manager)


@pytest.mark.parametrize("who", ["manager", "reviewer-of-the-call", "reviewer-of-dossiers"])
@pytest.mark.parametrize("params", [{}, {"q": "vzw", "phase": "dossier", "sort": "submitted"}, {"export": "csv"}])
def test_queries_do_not_grow_with_the_number_of_applications(db, client, django_assert_num_queries, settings, who, params):
    settings.REVIEWS_PAGE_SIZE = 100  # all 50 rows on one page
    priorities = [PolicyPriorityFactory(), PolicyPriorityFactory()]
    call = make_call(priorities=priorities)
    manager = make_manager()
    dossier_reviewer = make_reviewer()
    user = {"manager": manager, "reviewer-of-the-call": make_reviewer(), "reviewer-of-dossiers": dossier_reviewer}[who]
    if who == "reviewer-of-the-call":
        services.assignment_create(call=call, reviewer=user, assigned_by=manager)
    sign_in(client, user)
    url = f"/reviews/{call.slug}/"

    _grow(call, manager, 1, 2, dossier_reviewer, priorities)
    client.get(url, params)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url, params)
    assert response.status_code == 200
    expected = len(one.captured_queries)

    for start, stop in ((2, 4), (4, 51)):
        _grow(call, manager, start, stop, dossier_reviewer, priorities)
        with django_assert_num_queries(expected):
            response = client.get(url, params)
        assert response.status_code == 200
    if "export" not in params:
        assert len(response.context["rows"]) >= 30


def test_export_xlsx_does_not_turn_applicant_text_into_formulas(client, db):
    call = make_call()
    manager = make_manager()
    cheap_application(call, 1, organisation=OrganisationFactory(name='=HYPERLINK("http://evil.example","klik")'))
    sign_in(client, manager)
    response = _get(client, call, export="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"] == []


# --- Score columns: "Mijn score" and "2 van 3 scores" (issue 12, item 11) ------------------------


def _score_cells(page: str, reference: str) -> tuple[str, str]:
    """The texts of the 'Mijn score' and 'Scores' cells of the row of ``reference``."""
    at = page.index(f'<span class="reference">{reference}</span>')
    row = page[page.rindex("<tr", 0, at) :]
    row = row[: row.index("</tr>")]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return cells[6], cells[7]


def _score_rows(call, manager, count: int, start: int = 1) -> list:
    """``count`` dossiers, each assigned to three reviewers besides the whole call's one (two
    of them to the dossier, one with a conflict): two submitted sheets, one saved only."""
    rows = []
    for number in range(start, start + count):
        application = cheap_application(call, number)
        dossier = application.dossier
        first, second, conflicted = make_reviewer(), make_reviewer(), make_reviewer()
        for reviewer in (first, second, conflicted):
            ReviewerAssignment.objects.create(call=call, reviewer=reviewer, dossier=dossier, assigned_by=manager)
        ConflictDeclaration.objects.create(dossier=dossier, reviewer=conflicted, has_conflict=True)
        ScoreSheet.objects.create(dossier=dossier, reviewer=first, submitted_at=timezone.now())
        ScoreSheet.objects.create(dossier=dossier, reviewer=second)  # saved, not submitted
        rows.append(application)
    return rows


def test_score_columns_say_mine_and_how_many_of_the_assigned_reviewers(client, db):
    call, manager, me = make_call(), make_manager(), make_reviewer()
    services.assignment_create(call=call, reviewer=me, assigned_by=manager)  # the whole call
    scored, not_scored = _score_rows(call, manager, 2)
    ScoreSheet.objects.create(dossier=scored.dossier, reviewer=me, submitted_at=timezone.now())
    cheap_application(call, 3, with_dossier=False)
    sign_in(client, me)

    page = _get(client, call).content.decode()

    assert '<th scope="col">Mijn score</th>' in page
    # Expected: me (whole call) and the two dossier reviewers; the conflicted one is not.
    assert _score_cells(page, scored.reference) == ("ingediend", "2 van 3 scores")
    assert _score_cells(page, not_scored.reference) == ("nog niet", "1 van 3 scores")
    assert _score_cells(page, f"{call.reference_prefix}-VA-0003") == ("—", "—")


def test_score_columns_for_a_manager_who_is_not_assigned(client, db):
    call, manager = make_call(), make_manager()
    [row] = _score_rows(call, manager, 1)
    sign_in(client, manager)

    page = _get(client, call).content.decode()

    assert _score_cells(page, row.reference) == ("—", "1 van 2 scores")


def test_score_columns_queries_do_not_grow_with_the_number_of_dossiers(client, db, django_assert_num_queries, settings):
    settings.REVIEWS_PAGE_SIZE = 100
    call, manager, me = make_call(), make_manager(), make_reviewer()
    services.assignment_create(call=call, reviewer=me, assigned_by=manager)
    sign_in(client, me)
    _score_rows(call, manager, 1)
    url = f"/reviews/{call.slug}/"
    client.get(url)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        client.get(url)

    _score_rows(call, manager, 20, start=2)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)

    page = response.content.decode()
    assert len(response.context["rows"]) == 21
    assert page.count("1 van 3 scores") == 21
    assert page.count(">nog niet</td>") == 21

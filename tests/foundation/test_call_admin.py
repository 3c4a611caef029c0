"""A call manager configures a call in the admin without help: deadlines are entered in
Brussels time, and inconsistent input is refused with a Dutch message."""

from datetime import UTC, datetime

import pytest

from intake.kernel.roles import CALL_MANAGERS
from intake.models import Call
from tests.auth import sign_in
from tests.factories import PolicyPriorityFactory, UserFactory


@pytest.fixture
def manager_client(client, db):
    from django.contrib.auth.models import Group

    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=CALL_MANAGERS))
    sign_in(client, manager)  # staff need the second factor for the admin
    return client


def call_form(**overrides):
    data = {
        "title": "Vijfde oproep",
        "slug": "vijfde-oproep",
        "reference_prefix": "IBN5",
        "is_published": "on",
        "summary": "",
        "rules_text": "",
        "opens_at_0": "01-12-2026",
        "opens_at_1": "09:00",
        "preregistration_deadline_0": "23-01-2027",
        "preregistration_deadline_1": "12:00",
        "dossier_deadline_0": "11-05-2027",
        "dossier_deadline_1": "12:00",
        "min_mandating_enterprises": "30",
        "max_support_rate": "50",
        "max_subsidy_per_year": "225000",
        "max_duration_years": "3",
        "proposal_max_chars": "6000",
        "total_threshold_percent": "50",
        "reminder_offsets": "14d, 7d, 2d, 1d, 3h",
        "contact_phone": "0800 20 555",
        "contact_email": "clusters@vlaio.be",
        "contact_url": "",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-position": "1",
        "criteria-0-name": "Clusterpotentieel",
        "criteria-0-description": "",
        "criteria-0-weight": "1",
        "criteria-0-max_score": "10",
        "criteria-0-threshold_percent": "50",
    }
    data.update(overrides)
    return data


def test_call_admin_creates_a_call_with_deadlines_in_brussels_time(manager_client):
    priority = PolicyPriorityFactory()
    response = manager_client.post("/admin/intake/call/add/", call_form(policy_priorities=[priority.pk]))
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(slug="vijfde-oproep")
    # 12:00 in Brussels is 11:00 UTC in winter (CET) and 10:00 UTC in summer (CEST).
    assert call.preregistration_deadline == datetime(2027, 1, 23, 11, 0, tzinfo=UTC)
    assert call.dossier_deadline == datetime(2027, 5, 11, 10, 0, tzinfo=UTC)
    assert call.criteria.get().name == "Clusterpotentieel"
    assert list(call.policy_priorities.all()) == [priority]


@pytest.mark.parametrize(
    ("overrides", "field", "dutch"),
    [
        ({"preregistration_deadline_0": "01-11-2026"}, "preregistration_deadline", "na het openingsmoment"),
        ({"dossier_deadline_0": "01-01-2027"}, "dossier_deadline", "na de deadline van de vooraanmelding"),
        ({"min_mandating_enterprises": "0"}, "min_mandating_enterprises", "minstens 1"),
        ({"max_support_rate": "0"}, "max_support_rate", "minstens 0.01"),
        ({"max_support_rate": "150"}, "max_support_rate", "hoogstens 100"),
        ({"max_subsidy_per_year": "-5"}, "max_subsidy_per_year", "minstens 0.01"),
        ({"max_duration_years": "0"}, "max_duration_years", "minstens 1"),
        ({"reminder_offsets": "14 dagen"}, "reminder_offsets", "geen herinneringstermijn"),
        ({"reference_prefix": "ibn-5"}, "reference_prefix", "hoofdletters"),
    ],
)
def test_call_admin_refuses_inconsistent_calls_with_a_dutch_message(manager_client, overrides, field, dutch):
    response = manager_client.post("/admin/intake/call/add/", call_form(**overrides))
    assert response.status_code == 200
    assert not Call.objects.exists()
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert dutch in " ".join(errors[field]), errors[field]


def test_call_admin_is_closed_to_applicants(client, db):
    client.force_login(UserFactory())
    response = client.get("/admin/intake/call/add/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_login_is_allauths_with_its_rate_limits(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_needs_the_second_factor_for_staff(client, db):
    from django.contrib.auth.models import Group

    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name=CALL_MANAGERS))
    client.force_login(manager)  # password only

    response = client.get("/admin/intake/call/")
    assert response.status_code == 302
    assert client.get(response["Location"]).url.endswith("/reviews/two-factor/")

    sign_in(client, manager)  # password and TOTP
    assert client.get("/admin/intake/call/").status_code == 200

"""Builders for the pre-registration tests: what a refused request must leave unchanged,
the page's URLs, what the browser posts, and calls whose deadline is 12:00 Brussels time."""

from datetime import timedelta

from django.urls import reverse

from intake.models import PreRegistration
from intake.services.preregistrations import preregistration_save_draft
from tests.factories import CallFactory, complete_preregistration_data

# Everything a save could change, to prove that a refused request changed nothing.
STORED_FIELDS = (
    *PreRegistration.CONTENT_FIELDS,
    "state",
    "version",
    "number",
    "updated_at",
    "updated_by",
    "submitted_at",
    "submitted_by",
)


def stored(preregistration_or_pk):
    pk = getattr(preregistration_or_pk, "pk", preregistration_or_pk)
    return PreRegistration.objects.filter(pk=pk).values(*STORED_FIELDS).get()


def prereg_url(call, organisation=None, action=""):
    name = f"intake:preregistration_{action}" if action else "intake:preregistration"
    url = reverse(name, kwargs={"slug": call.slug})
    return f"{url}?organisation={organisation.pk}" if organisation is not None else url


def form_post(call, organisation, version, **overrides):
    """What the browser posts: the hidden fields plus every content field, as strings."""
    data = complete_preregistration_data(call)
    data.update(contact_phone="+32 3 555 12 34")
    data.update(overrides)
    post = {"organisation": str(organisation.pk), "version": str(version)}
    for name, value in data.items():
        if name == "policy_priority":
            post[name] = str(value.pk) if value is not None else ""
        else:
            post[name] = "" if value is None else str(value)
    return post


def save_draft(call, organisation, user, version=0, **overrides):
    data = complete_preregistration_data(call) | overrides
    return preregistration_save_draft(call=call, organisation=organisation, data=data, expected_version=version, actor=user)


def noon_call(at_brussels, year, month, day):
    """A call whose pre-registration deadline is 12:00 Brussels time on that day."""
    deadline = at_brussels(year, month, day, 12)
    return CallFactory(
        opens_at=deadline - timedelta(days=60), preregistration_deadline=deadline, dossier_deadline=deadline + timedelta(days=100)
    )

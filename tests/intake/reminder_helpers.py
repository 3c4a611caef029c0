"""Builders for the reminder tests: two pre-registration deadlines the day after a DST
change, the offsets, and the people around a call (members, followers)."""

from datetime import datetime, timedelta

from intake.kernel.enums import Role
from intake.kernel.formatting import BRUSSELS
from intake.models import Membership
from intake.services.following import call_follow_set
from tests.factories import CallFactory, PreRegistrationFactory, UserFactory

D1, D2, D7, H3 = timedelta(days=1), timedelta(days=2), timedelta(days=7), timedelta(hours=3)
DAY = 24 * 60  # offset_minutes of "1d"

# Monday 30 March 2026 follows the last Sunday of March: on Sunday 29 March at 02:00 CET
# the clocks go to 03:00 CEST. Monday 26 October 2026 follows the last Sunday of October:
# on Sunday 25 October at 03:00 CEST the clocks go back to 02:00 CET.
MARCH_DEADLINE = datetime(2026, 3, 30, 12, tzinfo=BRUSSELS)  # 10:00 UTC
OCTOBER_DEADLINE = datetime(2026, 10, 26, 12, tzinfo=BRUSSELS)  # 11:00 UTC


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


ONE_DAY_BEFORE = local(2026, 3, 29, 12)


def make_call(deadline=MARCH_DEADLINE, **overrides):
    """A published call whose pre-registration deadline is ``deadline`` and whose dossier
    deadline is six weeks later, both at 12:00 Brussels time."""
    return CallFactory(
        opens_at=deadline - timedelta(days=90),
        preregistration_deadline=deadline,
        dossier_deadline=deadline + timedelta(days=42),
        **overrides,
    )


def member(organisation, role=Role.EDITOR, **kwargs):
    user = UserFactory(**kwargs)
    Membership.objects.create(organisation=organisation, user=user, role=role)
    return user


def follow(call, user, active=True):
    call_follow_set(call=call, user=user, active=active)
    return user


def preregistration(call, organisation, state, number=None):
    return PreRegistrationFactory(call=call, organisation=organisation, complete=True, state=state, number=number)


def by_recipient(messages):
    found = {}
    for message in messages:
        (to,) = message.to
        assert to not in found, f"two e-mails to {to}"
        found[to] = message
    return found


def html_of(mail) -> str:
    (alternative,) = mail.alternatives
    content, mimetype = alternative
    assert mimetype == "text/html"
    return content

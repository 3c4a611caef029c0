"""Fixtures shared by the intake tests. Every test gets a private file storage of its own
(attachments, receipts); ``dossier`` is an empty dossier of a submitted pre-registration,
``ready_dossier`` a complete one built through the real services."""

from types import SimpleNamespace

import pytest

from intake.kernel.enums import DossierState, PreRegistrationState, Role
from intake.messaging.reminders import reminders_sweep
from intake.models import Dossier, PreRegistration
from intake.services.dossiers import dossier_for
from tests.factories import OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier
from tests.intake.file_helpers import use_storage
from tests.intake.outbox_helpers import smtp_mailer
from tests.intake.preregistration_helpers import save_draft
from tests.intake.reminder_helpers import ONE_DAY_BEFORE, by_recipient, follow, make_call, member, preregistration
from tests.integration.smtp import smtp_server


@pytest.fixture(autouse=True)
def storage_root(settings, tmp_path):
    """Private files (attachments, receipts) in a directory of the test's own."""
    root = tmp_path / "private"
    root.mkdir()
    use_storage(settings, root)
    return root


@pytest.fixture
def actor(db):
    return UserFactory()


@pytest.fixture
def dossier(call, user):
    """An empty dossier of a new organisation of ``user``, its pre-registration marked
    submitted directly (no Submission recorded)."""
    organisation = OrganisationFactory(owner=user)
    preregistration = PreRegistrationFactory(call=call, organisation=organisation, complete=True)
    PreRegistration.objects.filter(pk=preregistration.pk).update(state="submitted")
    return dossier_for(call=call, organisation=organisation)


@pytest.fixture
def ready_dossier(call, organisation, user):
    """The organisation's dossier, complete (dossier_gaps() finds nothing), built through
    the real services."""
    return complete_dossier(call, organisation, user)


@pytest.fixture
def draft(call, organisation, user):
    return save_draft(call, organisation, user)


@pytest.fixture
def smtp(settings):
    """A real SMTP server; the portal's default mailer talks to it."""
    with smtp_server() as server:
        settings.MAILERS = smtp_mailer(server.port)
        yield server


@pytest.fixture
def cast(db):
    """Everyone the reminder rules distinguish, around one call."""
    call = make_call()
    drafting = OrganisationFactory(name="Ontwerp vzw")
    alice = member(drafting, Role.OWNER, email="alice@example.org")
    bob = member(drafting, email="bob@example.org")
    preregistration(call, drafting, PreRegistrationState.DRAFT)

    carol = follow(call, UserFactory(email="carol@example.org"))  # follows, no organisation

    submitted = OrganisationFactory(name="Ingediend vzw")
    dave = follow(call, member(submitted, Role.OWNER, email="dave@example.org"))  # follows, but pre-registered
    preregistration(call, submitted, PreRegistrationState.SUBMITTED, number=1)

    withdrawn = OrganisationFactory(name="Ingetrokken vzw")
    erin = member(withdrawn, Role.OWNER, email="erin@example.org")
    preregistration(call, withdrawn, PreRegistrationState.WITHDRAWN)

    finished = OrganisationFactory(name="Klaar vzw")
    frank = member(finished, Role.OWNER, email="frank@example.org")
    done = preregistration(call, finished, PreRegistrationState.SUBMITTED, number=2)
    Dossier.objects.create(call=call, organisation=finished, preregistration=done, state=DossierState.SUBMITTED)

    gina = follow(call, UserFactory(email="gina@example.org"), active=False)  # stopped following

    idle = OrganisationFactory(name="Stil vzw")
    hank = member(idle, Role.OWNER, email="hank@example.org")  # no pre-registration at all

    busy = OrganisationFactory(name="Bezig vzw")
    ivy = member(busy, Role.OWNER, email="ivy@example.org")
    started = preregistration(call, busy, PreRegistrationState.SUBMITTED, number=3)
    Dossier.objects.create(call=call, organisation=busy, preregistration=started, state=DossierState.DRAFT)

    return SimpleNamespace(
        call=call,
        drafting=drafting,
        submitted=submitted,
        busy=busy,
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        erin=erin,
        frank=frank,
        gina=gina,
        hank=hank,
        ivy=ivy,
    )


@pytest.fixture
def one_day_mails(cast, mailoutbox, django_capture_on_commit_callbacks):
    """The "1 day before" reminders of the pre-registration, sent; by recipient."""

    def send():
        with django_capture_on_commit_callbacks(execute=True):
            reminders_sweep(now=ONE_DAY_BEFORE)
        return by_recipient(mailoutbox)

    return send

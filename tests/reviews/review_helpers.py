"""Builders for the reviewer-dashboard tests: agency users signed in the way allauth signs them in
after a TOTP code, a call whose dossier deadline has passed with one complete dossier
built and submitted through the real services while the call was open, and the steps of a
review (declaring, scoring, admissibility) taken through the services."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from intake.kernel.enums import SubmissionKind
from intake.kernel.roles import CALL_MANAGERS, REVIEWERS
from intake.models import Call, Dossier, EvaluationCriterion, Organisation, PreRegistration, Submission
from intake.services.submissions import dossier_submit
from reviews import services
from reviews.models import ReviewerAssignment
from tests.auth import TOTP_SECRET, sign_in  # noqa: F401 — re-exported for the review tests
from tests.factories import CallFactory, EvaluationCriterionFactory, OrganisationFactory, PreRegistrationFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier

# --- People ------------------------------------------------------------------------------------


def make_reviewer(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=REVIEWERS))
    return user


def make_manager(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=CALL_MANAGERS))
    return user


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def is_second_factor_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("reviews:second_factor")


# --- A call under review ---------------------------------------------------------------------------


def make_call(*, closed: bool = True, **kwargs) -> Call:
    """A call with the decree's two criteria (weight 1, max 10, threshold 50 %). ``closed``:
    its dossier deadline passed 20 days ago (the phases were open 130 to 20 days ago)."""
    if closed:
        kwargs.setdefault("start", timezone.now() - timedelta(days=120))
    call = CallFactory(**kwargs)
    EvaluationCriterionFactory(call=call, name="Clusterpotentieel", position=1)
    EvaluationCriterionFactory(call=call, name="Kwaliteit", position=2)
    return call


def while_open(call, minutes: int = 0) -> datetime:
    """An instant at which both phases of ``call`` are open."""
    return call.opens_at + timedelta(days=1, minutes=minutes)


def submitted_dossier(
    call, *, applicant=None, organisation=None, acronym: str = "WARM", network_name: str | None = None, at=None
) -> tuple[Dossier, Submission]:
    """A complete dossier built and submitted through the services at ``at`` (default: one day
    after the call opened), by ``applicant`` for ``organisation``."""
    applicant = applicant or UserFactory()
    organisation = organisation or OrganisationFactory(owner=applicant)
    extra = {"network_name": network_name} if network_name else {}
    PreRegistrationFactory(call=call, organisation=organisation, complete=True, acronym=acronym, **extra)
    with time_machine.travel(at or while_open(call), tick=False):
        dossier = complete_dossier(call, organisation, applicant)
        submission = dossier_submit(dossier_id=dossier.pk, actor=applicant)
    dossier.refresh_from_db()
    return dossier, submission


@dataclass
class Review:
    call: Call
    applicant: object
    organisation: Organisation
    dossier: Dossier
    submission: Submission
    manager: object
    reviewer: object
    criteria: list = field(default_factory=list)

    @property
    def reference(self) -> str:
        return self.submission.reference

    def url(self, name: str, **kwargs) -> str:
        if name == "dashboard":
            return reverse("reviews:dashboard")
        if name in ("call", "assignments"):
            return reverse(f"reviews:{name}", kwargs={"slug": self.call.slug})
        return reverse(f"reviews:{name}", kwargs={"slug": self.call.slug, "reference": self.reference, **kwargs})


# --- Cheap rows for the list ----------------------------------------------------------------------


def cheap_application(
    call,
    number: int,
    *,
    with_dossier: bool = True,
    organisation=None,
    acronym: str = "WARM",
    policy_priority=None,
    dossier_state: str = "submitted",
    submitted_at=None,
    submitted_by=None,
) -> PreRegistration:
    """A submitted pre-registration (and optionally a submitted dossier) written straight to
    the database: for list and query-count tests, where the services' cost does not matter."""
    extra = {"policy_priority": policy_priority} if policy_priority is not None else {}
    preregistration = PreRegistrationFactory(
        call=call, organisation=organisation or OrganisationFactory(), complete=True, acronym=acronym, **extra
    )
    when = submitted_at or timezone.now()
    PreRegistration.objects.filter(pk=preregistration.pk).update(state="submitted", number=number, submitted_at=when)
    submitted_by = submitted_by or UserFactory()
    Submission.objects.create(
        kind=SubmissionKind.PREREGISTRATION,
        reference=f"{call.reference_prefix}-VA-{number:04d}",
        call=call,
        organisation=preregistration.organisation,
        preregistration=preregistration,
        version=1,
        snapshot="{}",
        snapshot_sha256="0" * 64,
        submitted_at=when,
        submitted_by=submitted_by,
        deadline=call.preregistration_deadline,
    )
    if with_dossier:
        dossier = Dossier.objects.create(call=call, organisation=preregistration.organisation, preregistration=preregistration)
        Dossier.objects.filter(pk=dossier.pk).update(state=dossier_state)
        Submission.objects.create(
            kind=SubmissionKind.DOSSIER,
            reference=f"{call.reference_prefix}-DS-{number:04d}-1",
            call=call,
            organisation=preregistration.organisation,
            preregistration=preregistration,
            dossier=dossier,
            version=1,
            snapshot="{}",
            snapshot_sha256="0" * 64,
            submitted_at=when,
            submitted_by=submitted_by,
            deadline=call.dossier_deadline,
        )
    return PreRegistration.objects.select_related("organisation", "call").get(pk=preregistration.pk)


def scores_for(review_or_call, *values, comment: str = "") -> dict:
    """POST data for the scores form: one value per criterion, in the call's order."""
    call = review_or_call.call if isinstance(review_or_call, Review) else review_or_call
    data = {}
    for criterion, value in zip(call.criteria.all(), values, strict=True):
        data[f"score_{criterion.pk}"] = str(value)
        data[f"comment_{criterion.pk}"] = comment
    return data


def score_dict(call, *values) -> dict:
    """The services' form of scores: {criterion_id: (score, comment)}."""
    return {c.pk: (Decimal(str(v)), "") for c, v in zip(call.criteria.all(), values, strict=True)}


# --- Reviewing: declaring, scoring, deciding through the services ---------------------------


def error_messages(response) -> list[str]:
    return [m.message for m in response.context["messages"] if m.level_tag == "error"]


def declared_reviewer(review, reviewer=None):
    reviewer = reviewer or make_reviewer()
    if not ReviewerAssignment.objects.filter(call=review.call, reviewer=reviewer).exists():
        services.assignment_create(call=review.call, reviewer=reviewer, assigned_by=review.manager)
    services.conflict_declare(dossier=review.dossier, reviewer=reviewer, has_conflict=False)
    return reviewer


def submit_scores(review, reviewer, *values):
    return services.scores_save(
        dossier_id=review.dossier.pk, reviewer=reviewer, scores=score_dict(review.call, *values), submit=True
    )


def save_scores(review, reviewer, *values):
    return services.scores_save(
        dossier_id=review.dossier.pk, reviewer=reviewer, scores=score_dict(review.call, *values), submit=False
    )


def set_criteria(review, *specs):
    """specs: (max_score, weight, threshold) per criterion, in order."""
    for criterion, (max_score, weight, threshold) in zip(review.call.criteria.all(), specs, strict=True):
        EvaluationCriterion.objects.filter(pk=criterion.pk).update(
            max_score=max_score, weight=Decimal(str(weight)), threshold_percent=Decimal(str(threshold))
        )


def decide_admissibility(review, decision="admissible"):
    return services.admissibility_decide(
        dossier_id=review.dossier.pk,
        decision=decision,
        motivation="Gemotiveerd.",
        actor=review.manager,
        submission=review.submission,
    )


def state_of(review) -> str:
    review.dossier.refresh_from_db()
    return review.dossier.state

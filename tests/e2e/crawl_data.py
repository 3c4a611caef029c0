"""The data the crawl (test_crawl.py) walks through, built once through the factories and
the real services, so that every page shows what an applicant, a reviewer and a call
manager would see on a working day: an open call with a complete dossier of 32 mandating
enterprises submitted with its receipt, a second open call nobody has pre-registered for
yet, and a closed call under review with three reviewers, two of whom submitted scores."""

from dataclasses import dataclass
from datetime import timedelta

from intake.kernel.enums import Phase, Role
from intake.models import Extension, Mandate, Receipt, Submission
from intake.services.dossiers import dossier_for
from intake.services.invitations import invitation_create
from intake.services.submissions import dossier_submit
from reviews import services as reviews
from tests.factories import CallFactory, OrganisationFactory, PolicyPriorityFactory, UserFactory
from tests.intake.dossier_helpers import complete_dossier, submitted_preregistration
from tests.reviews.review_helpers import (
    cheap_application,
    make_call,
    make_manager,
    make_reviewer,
    score_dict,
    submitted_dossier,
)

MANDATES = 32


@dataclass
class CrawlData:
    """What the crawl's paths are made of (format fields of test_crawl.VISITS)."""

    applicant: object
    reviewer: object
    manager: object
    open_call: str  # the slug of the call the applicant's dossier is in
    new_call: str  # the slug of an open call without a pre-registration yet
    review_call: str
    org: int  # the applicant's organisation with the submitted dossier
    draft_org: int  # the applicant's second organisation: an empty dossier
    mandate: int
    invitation: str  # a token: the applicant is invited into a third organisation
    dossier_ref: str  # the applicant's submitted dossier, version 1
    review_ref: str  # the dossier under review, declared and partly scored
    undeclared_ref: str  # a dossier of the review call the reviewer has not declared on
    criterion: int  # the review call's first criterion: a score field's name
    call_pk: int
    extension_pk: int
    receipt_refs: tuple  # every submission whose receipt the crawl waits for


def build() -> CrawlData:
    climate = PolicyPriorityFactory(code="klimaat", name="Klimaat en energie")
    circular = PolicyPriorityFactory(code="circulair", name="Circulaire economie")
    open_call, new_call = (
        CallFactory(
            slug=f"{ordinal}-oproep",
            title=f"{ordinal.capitalize()} oproep innovatieve bedrijfsnetwerken",
            reference_prefix=prefix,
            priorities=[climate, circular],
            proposal_max_chars=6000,
        )
        for ordinal, prefix in (("vierde", "IBN4"), ("vijfde", "IBN5"))
    )

    applicant = UserFactory(email="an.aanvrager@warmtecluster.example", first_name="An", last_name="Aanvrager")
    organisation = OrganisationFactory(owner=applicant, name="Warmtecluster Vlaanderen vzw", contact_name="An Aanvrager")
    draft_org = OrganisationFactory(owner=applicant, name="Netwerk voor circulaire bouwmaterialen vzw")
    dossier = complete_dossier(open_call, organisation, applicant, mandates=MANDATES)
    submission = dossier_submit(dossier_id=dossier.pk, actor=applicant)
    submitted_preregistration(open_call, draft_org, applicant)
    dossier_for(call=open_call, organisation=draft_org, actor=applicant)

    # Someone else's organisation invites the applicant: the acceptance page.
    colleague = UserFactory(email="bert.bestuurder@haventech.example")
    other = OrganisationFactory(owner=colleague, name="Haventechnologie Antwerpen vzw")
    invitation = invitation_create(organisation=other, email=applicant.email, role=Role.EDITOR, invited_by=colleague)

    review_call = make_call(
        slug="derde-oproep", title="Derde oproep innovatieve bedrijfsnetwerken", reference_prefix="IBN3", priorities=[climate]
    )
    manager = make_manager(email="carla.callbeheer@agentschap.example", is_staff=True)
    reviewer = make_reviewer(email="dirk.beoordelaar@agentschap.example")
    others = [make_reviewer(email=f"beoordelaar{n}@agentschap.example") for n in (2, 3)]
    for person in (reviewer, *others):
        reviews.assignment_create(call=review_call, reviewer=person, assigned_by=manager)
    reviewed_org = OrganisationFactory(owner=UserFactory(), name="Slimme Logistiek Limburg vzw")
    reviewed, reviewed_submission = submitted_dossier(review_call, organisation=reviewed_org, acronym="LOGI")
    reviews.admissibility_decide(
        dossier_id=reviewed.pk,
        decision="admissible",
        motivation="Alle stukken zijn aanwezig en de vooraanmelding was tijdig.",
        actor=manager,
        submission=reviewed_submission,
    )
    for person in (reviewer, *others):
        reviews.conflict_declare(dossier=reviewed, reviewer=person, has_conflict=False)
    for person, values in zip(others, ((7, 8), (6, 7)), strict=True):
        reviews.scores_save(dossier_id=reviewed.pk, reviewer=person, scores=score_dict(review_call, *values), submit=True)
    undeclared = cheap_application(review_call, 2, organisation=OrganisationFactory(name="Biogebaseerde Chemie Gent vzw"))
    for number in (3, 4):
        cheap_application(review_call, number)

    extension = Extension.objects.create(
        call=open_call,
        organisation=draft_org,
        phase=Phase.DOSSIER,
        deadline=open_call.dossier_deadline + timedelta(days=7),
        reason="Overmacht: de server van de clusterorganisatie lag een week plat.",
        granted_by=manager,
    )
    undeclared_ref = Submission.objects.get(dossier=undeclared.dossier).reference
    return CrawlData(
        applicant=applicant,
        reviewer=reviewer,
        manager=manager,
        open_call=open_call.slug,
        new_call=new_call.slug,
        review_call=review_call.slug,
        org=organisation.pk,
        draft_org=draft_org.pk,
        mandate=Mandate.objects.filter(dossier=dossier).order_by("pk").first().pk,
        invitation=invitation.token,
        dossier_ref=submission.reference,
        review_ref=reviewed_submission.reference,
        undeclared_ref=undeclared_ref,
        criterion=review_call.criteria.order_by("position").first().pk,
        call_pk=open_call.pk,
        extension_pk=extension.pk,
        receipt_refs=tuple(Submission.objects.filter(receipt__isnull=False).values_list("reference", flat=True)),
    )


def receipts_rendered(data: CrawlData) -> bool:
    """Whether the worker has rendered every receipt queued while the data was built."""
    return Receipt.objects.filter(submission__reference__in=data.receipt_refs, status="rendered").count() == len(
        data.receipt_refs
    )

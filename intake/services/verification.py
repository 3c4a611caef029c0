"""Who acts for an organisation: the evidence a claimant uploads, a call manager's verdict
on the claim, and a second claimant's request to join or contest (DESIGN.md "Who may act
for an organisation"). Nothing here gates preparing or submitting an application: a
verification queue must never make anyone miss a deadline."""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from intake import workflow
from intake.audit import audit_record
from intake.kernel.enums import ClaimKind, ClaimState, Role, VerificationState
from intake.kernel.errors import AttachmentRefused, DomainError, NotAllowed
from intake.kernel.roles import CALL_MANAGERS
from intake.messaging.outbox import outbox_enqueue
from intake.models import Membership, Organisation, OrganisationClaim, OrganisationEvidence
from intake.rules.active_content import refuse_active_content
from intake.rules.files import HEAD_BYTES, PDF, check_file_size, detect_type, sanitise_filename
from intake.services.attachments import HashingFile, delete_stored, file_size

# What a call manager may decide on a contested claim.
KEEP, TRANSFER, ADD_MEMBER = "keep", "transfer", "member"
CONTEST_DECISIONS = {KEEP: ClaimState.REFUSED, TRANSFER: ClaimState.TRANSFERRED, ADD_MEMBER: ClaimState.ACCEPTED}


def _is_call_manager(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=CALL_MANAGERS).exists())


def _owner_emails(organisation) -> list[str]:
    return list(organisation.memberships.filter(role=Role.OWNER).order_by("user__email").values_list("user__email", flat=True))


def _mail(*, to: str, template: str, context: dict, dedupe_key: str) -> None:
    outbox_enqueue(
        to=to,
        template=template,
        context={"site_url": settings.SITE_URL, **context},
        language=translation.get_language() or "nl",
        dedupe_key=dedupe_key,
    )


def _store_evidence(*, organisation, uploaded_file, actor, claim=None) -> OrganisationEvidence:
    """Judge and store one PDF with the rules of a dossier's letters (intake.rules.files,
    intake.rules.active_content). Runs inside the caller's transaction; the caller deletes
    ``evidence.file`` again if that transaction fails."""
    check_file_size(size=file_size(uploaded_file), max_mb=settings.ORGANISATION_EVIDENCE_MAX_MB)
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    if detect_type(head, uploaded_file) != PDF:
        raise AttachmentRefused("type_not_allowed", _("Only a PDF is accepted as evidence, whatever the file's name says."))
    refuse_active_content(PDF, uploaded_file)
    safe_name = sanitise_filename(getattr(uploaded_file, "name", "") or "", content_type=PDF)
    storage = OrganisationEvidence.file.field.storage
    hashing = HashingFile(uploaded_file)
    stored_name = storage.save(
        f"organisations/{organisation.pk}/{uuid.uuid4().hex}-{safe_name}",
        hashing,
        max_length=OrganisationEvidence.file.field.max_length,
    )
    try:
        evidence = OrganisationEvidence.objects.create(
            organisation=organisation,
            claim=claim,
            file=stored_name,
            original_name=safe_name,
            size=hashing.bytes_read,
            sha256=hashing.sha256.hexdigest(),
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action="evidence.uploaded",
            obj=evidence,
            organisation=organisation,
            data={"name": safe_name, "sha256": evidence.sha256, "size": evidence.size, "claim": claim.pk if claim else None},
        )
    except BaseException:
        delete_stored(storage, stored_name)
        raise
    return evidence


def _atomic_with_file_cleanup(function):
    """Run ``function`` in one transaction; a file it stored is deleted when that fails."""
    stored: list[str] = []

    def remember(evidence):
        stored.append(evidence.file.name)
        return evidence

    try:
        with transaction.atomic():
            return function(remember)
    except BaseException:
        for name in stored:
            delete_stored(OrganisationEvidence.file.field.storage, name)
        raise


def evidence_upload(*, organisation: Organisation, uploaded_file, actor) -> OrganisationEvidence:
    """A member of the organisation adds evidence that they act for it. Raises NotAllowed
    for someone who is not a member, AttachmentRefused for a file the rules refuse."""
    if not Membership.objects.filter(organisation=organisation, user=actor).exists():
        raise NotAllowed(_("Only a member of the organisation can add evidence."))
    return _atomic_with_file_cleanup(
        lambda remember: remember(_store_evidence(organisation=organisation, uploaded_file=uploaded_file, actor=actor))
    )


def organisation_verify(*, organisation_id: int, actor, note: str = "") -> Organisation:
    """A call manager verified the claim: the members act for the organisation."""
    return _verdict(organisation_id=organisation_id, actor=actor, note=note, to_state=VerificationState.VERIFIED)


def organisation_reject(*, organisation_id: int, actor, note: str) -> Organisation:
    """A call manager found the evidence does not show the claim. The organisation keeps
    working (nothing is blocked); the note says the members what is missing."""
    if not note.strip():
        raise DomainError(_("Say why the claim is rejected: the members read this note."))
    return _verdict(organisation_id=organisation_id, actor=actor, note=note, to_state=VerificationState.REJECTED)


def _verdict(*, organisation_id, actor, note, to_state) -> Organisation:
    if not _is_call_manager(actor):
        raise NotAllowed(_("Only a call manager can decide on a claim."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        workflow.organisation_verification_transition(organisation, to_state, actor=actor, note=note)
        for email in _owner_emails(organisation):
            _mail(
                to=email,
                template="organisation_verdict",
                context={"organisation": organisation, "note": note, "verified": organisation.is_verified},
                dedupe_key=f"organisation-verdict:{organisation.pk}:{organisation.verified_at.isoformat()}:{email}",
            )
    return organisation


def claim_create(
    *, organisation: Organisation, claimant, kind: str, motivation: str = "", uploaded_file=None
) -> OrganisationClaim:
    """A person who is not a member claims the organisation's enterprise number: asks to
    join, or contests the claim (with evidence). The owners are told by e-mail; call
    managers find it among the open claims in the admin (a mail per claim to every call
    manager would bury the ones that matter). Raises DomainError for a member, or for a
    second open claim of the same person."""
    if Membership.objects.filter(organisation=organisation, user=claimant).exists():
        raise DomainError(_("You are already a member of this organisation."))
    if kind == ClaimKind.CONTEST and uploaded_file is None:
        raise AttachmentRefused(
            "empty", _("Add evidence that you act for this organisation: a mandate or its articles of association.")
        )

    def create(remember):
        try:
            with transaction.atomic():
                claim = OrganisationClaim.objects.create(
                    organisation=organisation, claimant=claimant, kind=kind, motivation=motivation
                )
        except IntegrityError:
            raise DomainError(
                _("You already have an open request for this organisation. A decision follows by e-mail.")
            ) from None
        audit_record(
            actor=claimant,
            action="claim.contested" if kind == ClaimKind.CONTEST else "claim.join_requested",
            obj=claim,
            organisation=organisation,
            data={"claimant": claimant.email, "kind": kind},
        )
        if uploaded_file is not None:
            remember(_store_evidence(organisation=organisation, uploaded_file=uploaded_file, actor=claimant, claim=claim))
        for email in _owner_emails(organisation):
            _mail(
                to=email,
                template="claim_received",
                context={
                    "claim": claim,
                    "organisation": organisation,
                    "page_url": settings.SITE_URL + reverse("intake:organisation_detail", kwargs={"pk": organisation.pk}),
                },
                dedupe_key=f"claim-received:{claim.pk}:{email}",
            )
        return claim

    return _atomic_with_file_cleanup(create)


def claim_decide(*, claim_id: int, actor, decision: str, note: str = "") -> OrganisationClaim:
    """Decide a claim. A join request: an owner of the organisation or a call manager
    accepts (``member``) or refuses (``keep``). A contest: only a call manager, who keeps
    the current claim, transfers ownership to the claimant (the current owners stay as
    editors; the organisation is to be verified again) or adds the claimant as a member."""
    with transaction.atomic():
        claim = OrganisationClaim.objects.select_for_update().select_related("organisation", "claimant").get(pk=claim_id)
        organisation = Organisation.objects.select_for_update().get(pk=claim.organisation_id)
        is_manager = _is_call_manager(actor)
        is_owner = Membership.objects.filter(organisation=organisation, user=actor, role=Role.OWNER).exists()
        if not (is_manager or (claim.kind == ClaimKind.JOIN and is_owner)):
            raise NotAllowed(_("Only a call manager can decide on a contested claim."))
        if decision not in CONTEST_DECISIONS or (claim.kind == ClaimKind.JOIN and decision == TRANSFER):
            raise DomainError(_("Choose a decision."))
        workflow.claim_transition(claim, CONTEST_DECISIONS[decision], actor=actor, note=note)
        if decision == ADD_MEMBER:
            Membership.objects.get_or_create(organisation=organisation, user=claim.claimant, defaults={"role": Role.EDITOR})
        elif decision == TRANSFER:
            organisation.memberships.filter(role=Role.OWNER).update(role=Role.EDITOR)
            Membership.objects.update_or_create(organisation=organisation, user=claim.claimant, defaults={"role": Role.OWNER})
            if organisation.verification_state != VerificationState.UNVERIFIED:
                workflow.organisation_verification_transition(
                    organisation, VerificationState.UNVERIFIED, actor=actor, note=note, data={"owner": claim.claimant.email}
                )
        _mail(
            to=claim.claimant.email,
            template="claim_decided",
            context={"claim": claim, "organisation": organisation},
            dedupe_key=f"claim-decided:{claim.pk}",
        )
    return claim

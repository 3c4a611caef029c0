"""The audit trail: one function writes every event; refused late attempts are recorded
through one decorator on the services that can refuse them; and what each action code
means, as a sentence people read."""

import functools

from django.utils.translation import gettext_lazy as _

from intake.kernel.errors import DeadlinePassed
from intake.models import AuditEvent

# Every action code written to the trail, as the reviewers' dossier page (and anyone reading
# the trail) shows it. The codes are written by intake's services, workflow.transition
# ("<model>.<to state>" unless workflow names it) and reviews' services: the trail is one,
# so its vocabulary is listed once, here (strings, not an import of reviews). A sentence
# may name a key of the event's data: %(name)s. tests/intake/test_audit.py checks that
# every code the code base writes has one.
ACTION_SENTENCES = {
    "preregistration.submitted": _("The pre-registration was submitted."),
    "preregistration.withdrawn": _("The pre-registration was withdrawn."),
    "preregistration.reopened": _("The withdrawn pre-registration was made a draft again."),
    "preregistration.late_attempt": _("A change to the pre-registration was refused: the deadline had passed."),
    "dossier.submitted": _("The dossier was submitted."),
    "dossier.resubmitted": _("A new version of the dossier was submitted."),
    "dossier.withdrawn": _("The dossier was withdrawn."),
    "dossier.draft": _("The withdrawn dossier was made a draft again."),
    "dossier.admissible": _("The dossier was found admissible."),
    "dossier.inadmissible": _("The dossier was found inadmissible."),
    "dossier.approved": _("The dossier was approved."),
    "dossier.rejected": _("The dossier was rejected."),
    "dossier.late_attempt": _("A change to the dossier was refused: the deadline had passed."),
    "mandates.imported": _("%(imported)s mandating enterprises were imported from a CSV file."),
    "attachment.uploaded": _("The attachment “%(name)s” was uploaded."),
    "attachment.deleted": _("The attachment “%(name)s” was removed."),
    "attachment.downloaded": _("An attachment was downloaded."),
    "receipt.downloaded": _("The receipt was downloaded."),
    "extension.granted": _("An extension of the deadline was granted."),
    "extension.changed": _("An extension of the deadline was changed."),
    "call.deadline_changed": _("A deadline of the call was changed."),
    "organisation.created": _("The organisation was registered."),
    "organisation.updated": _("The organisation's details were changed."),
    "organisation.verified": _("A call manager verified that the organisation's members act for it."),
    "organisation.verified_by_login": _(
        "The sign-in of %(user)s through “%(provider_name)s” established that they act for the organisation."
    ),
    "organisation.rejected": _("A call manager rejected the claim on the organisation."),
    "organisation.unverified": _("The organisation is no longer verified: its ownership changed."),
    "evidence.uploaded": _("Evidence of the claim was uploaded (“%(name)s”)."),
    "claim.join_requested": _("%(claimant)s asked to become a member."),
    "claim.contested": _("%(claimant)s contested the claim on the organisation."),
    "claim.accepted": _("The claim of %(claimant)s was accepted: added as member."),
    "claim.refused": _("The claim of %(claimant)s was refused: the current claim is kept."),
    "claim.transferred": _("The claim of %(claimant)s was upheld: ownership transferred."),
    "membership.removed": _("%(user)s was removed from the organisation."),
    "membership.asserted": _("The sign-in of %(user)s said they act for the organisation (role %(role)s)."),
    "membership.ended": _("The sign-in of %(user)s no longer said they act for the organisation: the membership ended."),
    "membership.assertion_ended": _(
        "The sign-in of %(user)s no longer said they act for the organisation: the membership stays, unconfirmed."
    ),
    "staff.role_granted": _("The agency's sign-in gave the role %(role)s."),
    "staff.role_removed": _("The agency's sign-in took away the role %(role)s."),
    "staff.admin_granted": _("The agency's sign-in gave access to the admin site."),
    "staff.admin_removed": _("The agency's sign-in took away access to the admin site."),
    "invitation.created": _("A colleague was invited (%(email)s)."),
    "invitation.accepted": _("An invitation was accepted."),
    "invitation.revoked": _("An invitation was revoked."),
    "review.assigned": _("A reviewer was assigned (%(reviewer)s)."),
    "review.conflict_declared": _("A reviewer declared a conflict of interest."),
    "review.no_conflict_declared": _("A reviewer declared having no conflict of interest."),
    "review.scores_submitted": _("A reviewer submitted their scores."),
}


class _EventData(dict):
    # An event written before its data carried a key still reads as a sentence.
    def __missing__(self, key):
        return "…"


def action_sentence(event: AuditEvent) -> str:
    """The event as a sentence in the interface language; an unknown code as it is."""
    sentence = ACTION_SENTENCES.get(event.action)
    if sentence is None:
        return event.action
    return str(sentence) % _EventData(event.data if isinstance(event.data, dict) else {})


def audit_record(*, actor, action: str, obj, call=None, organisation=None, from_state="", to_state="", note="", data=None):
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        call=call,
        organisation=organisation,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        from_state=from_state or "",
        to_state=to_state or "",
        note=note or "",
        data=data or {},
    )


def late_attempt_record(*, actor, refusal: DeadlinePassed, attempted: str = "") -> AuditEvent:
    """A change refused because the deadline had passed: counted on the reviewers'
    dashboard (``<phase>.late_attempt``). Written after the refused transaction rolled
    back, so it is kept."""
    data = {"deadline": refusal.deadline.isoformat(), "attempted": attempted}
    if refusal.judged_at is not None:
        data["judged_at"] = refusal.judged_at.isoformat()
    return audit_record(
        actor=actor,
        action=f"{refusal.phase}.late_attempt",
        # The row refused, so the attempt shows in its audit trail; the organisation when
        # there is none yet (a first draft saved too late).
        obj=refusal.subject if getattr(refusal.subject, "pk", None) else refusal.organisation,
        call=refusal.call,
        organisation=refusal.organisation,
        data=data,
    )


def records_late_attempts(service):
    """Every refusal for lateness of ``service`` (a service entry point taking ``actor``)
    is on record once: whichever path refused it (a submit, a save, save-and-submit)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except DeadlinePassed as refusal:
            if refusal.organisation is not None:
                late_attempt_record(actor=kwargs.get("actor"), refusal=refusal, attempted=service.__name__)
            raise

    return wrapper

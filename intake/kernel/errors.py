"""Every domain error, raised by rules, services and workflow; intake.web turns them into
messages. Each carries a translated, user-facing message (Dutch first) and a ``code``."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from intake.kernel.enums import DossierState, PreRegistrationState
from intake.kernel.formatting import format_brussels, format_instant
from intake.kernel.validators import format_enterprise_number


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class PhaseNotOpenYet(DomainError):
    code = "not_open_yet"

    def __init__(self, opens_at):
        self.opens_at = opens_at
        super().__init__(_("This phase opens on %(when)s (Brussels time).") % {"when": format_brussels(opens_at)})


class DeadlinePassed(DomainError):
    """Refused because the deadline that applies had passed at the instant the request was
    judged by. It says which call, phase and organisation, so that the attempt is recorded
    (intake.audit) wherever it was refused."""

    code = "deadline_passed"

    def __init__(self, deadline, *, call=None, phase: str = "", organisation=None, judged_at=None, subject=None):
        self.deadline = deadline
        self.call, self.phase, self.organisation, self.judged_at = call, phase, organisation, judged_at
        self.subject = subject  # the pre-registration or dossier refused, when it exists
        super().__init__(
            _("The deadline was %(when)s (Brussels time). Nothing was changed: your draft is kept exactly as it was.")
            % {"when": format_brussels(deadline)}
        )


class NotServedInTime(DomainError):
    """The request reached the portal on time but waited too long to be processed: refused
    loudly rather than judged by an instant the portal cannot vouch for any more."""

    code = "not_served_in_time"

    def __init__(self, arrived_at):
        self.arrived_at = arrived_at
        super().__init__(
            _(
                "Your request reached the portal at %(when)s, but the portal was too busy to process it in time. "
                "Nothing was changed. Send it again now."
            )
            % {"when": format_instant(arrived_at)}
        )


class EditConflict(DomainError):
    code = "edit_conflict"

    def __init__(self, saved_by=None, saved_at=None):
        self.saved_by, self.saved_at = saved_by, saved_at
        if saved_at:
            msg = _(
                "Someone else (%(who)s) saved this form at %(when)s, after you opened it. Your changes were NOT saved, "
                "to avoid overwriting theirs. They are still in the form below: compare with the saved version, then save again."
            ) % {"who": saved_by or _("a colleague"), "when": format_brussels(saved_at)}
        else:
            msg = _("This form was changed by someone else in the meantime. Your changes were not saved.")
        super().__init__(msg)


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, from_state, to_state):
        self.from_state, self.to_state = from_state, to_state
        labels = {**dict(DossierState.choices), **dict(PreRegistrationState.choices)}
        super().__init__(
            _("This is not possible now: it is %(state)s. Reload the page to see where it stands.")
            % {"state": labels.get(from_state, from_state)}
        )


class Incomplete(DomainError):
    code = "incomplete"

    def __init__(self, missing: list[str], fields: list[tuple[str, str]] = ()):
        self.missing = missing
        self.fields = list(fields)  # (field name, what it lacks): a form marks each field
        super().__init__(_("Not complete yet. Still missing: %(list)s.") % {"list": ", ".join(str(m) for m in missing)})


class AlreadySubmitted(DomainError):
    code = "already_submitted"

    def __init__(self, submission):
        self.submission = submission
        super().__init__(
            _("This was already submitted on %(when)s (reference %(ref)s). Nothing was submitted twice.")
            % {"when": format_brussels(submission.submitted_at), "ref": submission.reference}
        )


class OrganisationExists(DomainError):
    code = "organisation_exists"

    def __init__(self, organisation):
        self.organisation = organisation
        super().__init__(
            _(
                "An organisation with enterprise number %(number)s already exists in the portal. Ask to become a "
                "member, or contest the claim if it is not right."
            )
            % {"number": organisation.enterprise_number_display}
        )


class NotAllowed(DomainError):
    code = "not_allowed"


class DossierLocked(DomainError):
    code = "dossier_locked"

    def __init__(self):
        super().__init__(
            _("The full dossier opens for your organisation once its pre-registration for this call has been submitted.")
        )


class NotEditable(DomainError):
    code = "not_editable"


class DossierIncomplete(DomainError):
    code = "dossier_incomplete"

    def __init__(self, gaps):
        self.gaps = gaps
        super().__init__(
            ngettext(
                "The dossier was not submitted: %(n)d point still needs attention.",
                "The dossier was not submitted: %(n)d points still need attention.",
                len(gaps),
            )
            % {"n": len(gaps)}
        )


class BudgetInvalid(DomainError):
    """The budget cannot be saved, not even as a draft. ``problems`` lists the rule results
    (code, year, message) so that a form can show each next to its year."""

    code = "budget_invalid"

    def __init__(self, problems: list):
        self.problems = problems
        super().__init__(_("The budget was not saved: %(problems)s") % {"problems": " ".join(str(p.message) for p in problems)})


class DuplicateMandate(DomainError):
    code = "duplicate_in_dossier"

    def __init__(self, enterprise_number: str):
        self.enterprise_number = enterprise_number
        super().__init__(
            _("Enterprise %(number)s is already a mandating enterprise of this dossier.")
            % {"number": format_enterprise_number(enterprise_number)}
        )


class MandateNotFound(DomainError):
    code = "mandate_not_found"

    def __init__(self):
        super().__init__(_("This mandating enterprise is no longer in the dossier: a colleague may have removed it."))


class AttachmentRefused(DomainError):
    """An upload refused for a reason the applicant can fix; ``code`` says which, and
    ``field`` which field of the upload form it is about (the kind chosen, or the file)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.field = "kind" if code == "invalid_kind" else "file"


class RegistryImportRefused(DomainError):
    """A KBO Open Data extract that is not loaded: a bad file (``file`` and ``line`` say
    where) or an extract that does not follow the loaded one. Nothing of it is kept."""

    code = "registry_import_refused"

    def __init__(self, message: str, *, file: str = "", line: int | None = None):
        self.file = file
        self.line = line
        if file and line:
            message = _("%(file)s, line %(line)d: %(problem)s") % {"file": file, "line": line, "problem": message}
        elif file:
            message = _("%(file)s: %(problem)s") % {"file": file, "problem": message}
        super().__init__(message)


class NotInRegistry(DomainError):
    """The register (the loaded KBO extract) does not show the enterprise the call requires."""

    code = "not_in_registry"

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__(" ".join(messages))

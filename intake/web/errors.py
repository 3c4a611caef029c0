"""The one mapping of domain errors to what the user is told."""

from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _

from intake.kernel.errors import AlreadySubmitted, DomainError, EditConflict

# Not a failure: what the user wanted is already so (a second tab, a double click).
_INFORMATIONAL = (AlreadySubmitted,)


def report(request, exc: DomainError) -> None:
    level = messages.INFO if isinstance(exc, _INFORMATIONAL) else messages.ERROR
    messages.add_message(request, level, exc.message)


def run(request, service, *, success: str, **kwargs):
    """Call a service; tell its domain error or its success. The service's result, or None."""
    try:
        result = service(**kwargs)
    except DomainError as exc:
        report(request, exc)
        return None
    messages.success(request, success)
    return result


@dataclass(frozen=True)
class Saved:
    """How a save went: ``ok``, or refused; ``conflict`` when a colleague saved first."""

    ok: bool
    conflict: EditConflict | None = None

    @property
    def status(self) -> int:
        return 200 if self.ok else 409 if self.conflict else 400


def save(request, service, **kwargs) -> Saved:
    """Run a save service; report a refusal as a message."""
    try:
        service(**kwargs)
    except EditConflict as exc:
        report(request, exc)
        return Saved(False, exc)
    except DomainError as exc:
        report(request, exc)
        return Saved(False)
    messages.success(request, _("Saved."))
    return Saved(True)


def rebind(form_class, data, *, version: int, **kwargs):
    """After an edit conflict: the user's input stays in the form, and its hidden version
    now points at what is stored, so that saving again (after comparing) is a deliberate
    overwrite, never a silent one."""
    data = data.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form

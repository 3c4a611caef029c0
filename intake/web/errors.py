"""The one mapping of domain errors to what the user is told."""

from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _

from intake.kernel.errors import AlreadySubmitted, BudgetInvalid, DomainError, EditConflict, Incomplete

# Not a failure: what the user wanted is already so (a second tab, a double click).
_INFORMATIONAL = (AlreadySubmitted,)


def report(request, exc: DomainError) -> None:
    level = messages.INFO if isinstance(exc, _INFORMATIONAL) else messages.ERROR
    messages.add_message(request, level, exc.message)


def attach(exc: DomainError, form) -> None:
    """A refused save told in the page's error summary, next to what it is about: the fields
    an incomplete pre-registration lacks, the year a budget problem is in; any other
    refusal about one field (``exc.field``: an uploaded file) is that field's error; any
    other refusal (a deadline, a duplicate) is the form's own error. ``form`` may be a formset."""
    if isinstance(exc, Incomplete) and exc.fields and not hasattr(form, "forms"):
        for name, what in exc.fields:
            field = form.fields.get(name)
            # An empty field is named by its own label, which the summary shows already.
            empty = field is not None and str(field.label) == str(what)
            message = _("Fill this in to submit.") if empty else _("Needed to submit: %(what)s.") % {"what": what}
            form.add_error(name if field is not None else None, message)
        return
    if isinstance(exc, BudgetInvalid) and hasattr(form, "forms"):
        for problem in exc.problems:
            year = problem.year if problem.year and problem.year <= len(form.forms) else 1
            form.forms[year - 1].add_error(None, problem.message)
        return
    field = getattr(exc, "field", None)
    if field and not hasattr(form, "forms") and field in form.fields:
        # A refusal about one thing the user gave (an uploaded file) is told at that field.
        form.add_error(field, exc.message)
        return
    # A formset's refusal is told on its first row (a formset has no errors of its own to add to).
    target = form.forms[0] if hasattr(form, "forms") else form
    target.add_error(None, exc.message)


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


def save(request, service, *, form=None, **kwargs) -> Saved:
    """Run a save service. A refusal goes into ``form``'s error summary (see attach), or
    is reported as a message without a form; an edit conflict always is a message, beside
    the comparison the page shows."""
    try:
        service(**kwargs)
    except EditConflict as exc:
        report(request, exc)
        return Saved(False, exc)
    except DomainError as exc:
        if form is None:
            report(request, exc)
        else:
            attach(exc, form)
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

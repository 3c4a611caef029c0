"""The agency's roles: the names of their Django groups and the permissions each holds
(created by intake.services.groups after every migrate)."""

from django.utils.translation import gettext_lazy as _

CALL_MANAGERS = "Call managers"
REVIEWERS = "Reviewers"

# app_label.codename of each group's permissions.
_MANAGE = ("add", "change", "view", "delete")
GROUP_PERMISSIONS = {
    CALL_MANAGERS: [
        f"intake.{verb}_{model}" for model in ("call", "policypriority", "evaluationcriterion", "extension") for verb in _MANAGE
    ]
    + [
        f"intake.view_{model}"
        for model in (
            "organisation",
            "organisationclaim",
            "organisationevidence",
            "preregistration",
            "submission",
            "auditevent",
            "invitation",
            "membership",
            "registryextract",
        )
    ]
    + ["intake.verify_organisation"]
    + [
        f"intake.{verb}_{model}"
        for model in ("outboxmessage", "reminder", "receipt", "callfollow")
        for verb in ("view", "change")
    ]
    + [f"reviews.{verb}_reviewerassignment" for verb in _MANAGE]
    + [f"reviews.view_{model}" for model in ("conflictdeclaration", "admissibilityreview", "scoresheet", "decision")],
    # None: reviewers work in /reviews/, whose views check assignments and conflicts. A
    # model permission would only open the admin to a reviewer made staff.
    REVIEWERS: [],
}
GROUP_LABELS = {CALL_MANAGERS: _("Call managers"), REVIEWERS: _("Reviewers")}

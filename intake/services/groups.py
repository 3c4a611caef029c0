"""The agency's roles as Django groups, with their permissions. Brought to exactly what
intake.kernel.roles says after every migrate, so a fresh production database has them
without running the demo, and a permission a role no longer holds is taken away on the
next deployment (the groups are defined in code: extra rights for someone go in a group
of their own, not in these two)."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from intake.audit import audit_record
from intake.kernel.roles import CALL_MANAGERS, GROUP_PERMISSIONS, REVIEWERS


def ensure_groups(**kwargs) -> None:
    """A post_migrate receiver for every app, not only intake: Django sends post_migrate
    app by app and creates each app's permissions in that app's turn, so in intake's turn
    the permissions of apps after it (reviews) do not exist yet on a fresh database. Run
    in every turn, the last one leaves each group complete after one migrate."""
    using = kwargs.get("using", "default")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = Q(pk__in=[])
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.using(using).filter(wanted))


def roles_from_login(*, user, reviewer: bool, call_manager: bool, provider: str) -> list[str]:
    """Bring ``user``'s two agency roles to what the agency's single sign-on says, at every
    sign-in through it: its groups are where the agency grants and takes away these roles,
    so the portal follows them both ways. A call manager is staff (the admin site is the
    call manager's tool); a change is audited with the provider that said so. Returns the
    names of the roles the user holds now."""
    wanted = {REVIEWERS: reviewer, CALL_MANAGERS: call_manager}
    groups = {group.name: group for group in Group.objects.filter(name__in=wanted)}
    held = set(user.groups.filter(name__in=wanted).values_list("name", flat=True))
    for name, want in wanted.items():
        if want and name not in held:
            user.groups.add(groups[name])
        elif not want and name in held:
            user.groups.remove(groups[name])
        else:
            continue
        audit_record(
            actor=user,
            action="staff.role_granted" if want else "staff.role_removed",
            obj=user,
            data={"role": name, "provider": provider},
        )
    if user.is_staff != call_manager and not user.is_superuser:
        user.is_staff = call_manager
        user.save(update_fields=["is_staff"])
        audit_record(
            actor=user,
            action="staff.admin_granted" if call_manager else "staff.admin_removed",
            obj=user,
            data={"provider": provider},
        )
    return [name for name, want in wanted.items() if want]

"""The user's organisations: create, edit, members and invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from intake import deadlines
from intake.kernel.enums import ClaimKind, VerificationMethod
from intake.kernel.errors import DomainError, NotInRegistry, OrganisationExists
from intake.kernel.validators import normalise_enterprise_number
from intake.rules import registry
from intake.selectors import organisations as selectors
from intake.selectors.preregistrations import preregistrations_for_user
from intake.services import invitations, organisations, verification
from intake.web.errors import attach, report, run
from intake.web.files import evidence_response
from intake.web.forms.organisations import ContestForm, EvidenceForm, InvitationForm, JoinRequestForm, OrganisationForm


@login_required
def organisation_list(request):
    return render(request, "intake/organisation_list.html", {"organisations": selectors.organisations_for_user(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    extract = registry.loaded_extract()
    lookup, looked_up = request.GET.get("lookup", "").strip(), None
    if lookup and extract is not None and request.method == "GET":
        try:
            number = normalise_enterprise_number(lookup)
        except ValidationError as invalid:
            looked_up = {"error": invalid.messages[0]}
        else:
            facts = registry.registry_facts([number])[number]
            looked_up = {"facts": facts, "messages": registry.problem_messages(registry.applicant_problems(facts), facts)}
    initial = registry.registered_prefill(looked_up["facts"]) if looked_up and "facts" in looked_up else {}
    form = OrganisationForm(request.POST or None, initial=initial)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisations.organisation_create(user=request.user, data=form.cleaned_data)
        except OrganisationExists as exc:
            existing = exc.organisation
            form.add_error("enterprise_number", exc.message)
        except NotInRegistry as exc:
            for message in exc.messages:
                form.add_error("enterprise_number", message)
        else:
            messages.success(request, _("Organisation %(name)s created. You are its owner.") % {"name": organisation.name})
            return redirect(organisation)
    context = {"form": form, "existing": existing, "extract": extract, "lookup": lookup, "looked_up": looked_up}
    return render(request, "intake/organisation_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    if not selectors.is_owner(user=request.user, organisation=organisation):
        raise Http404
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "enterprise_number"}
        organisations.organisation_update(organisation=organisation, data=data, actor=request.user)
        messages.success(request, _("Saved."))
        return redirect(organisation)
    return render(request, "intake/organisation_form.html", {"form": form, "organisation": organisation})


def _registry_panel(organisation) -> dict:
    """What the loaded KBO extract says about the organisation, next to what was typed."""
    check = registry.applicant_check(organisation.enterprise_number)
    if check is None:
        return {"extract": None}
    differences = registry.registered_differences(
        check.facts,
        name=organisation.name,
        street=organisation.street,
        postal_code=organisation.postal_code,
        municipality=organisation.municipality,
    )
    return {"extract": check.extract, "registry_check": check, "differences": differences}


def _detail(request, organisation, invitation_form, status=200, evidence_form=None):
    invitations_open = list(selectors.invitations_open(organisation))
    now = deadlines.clock()
    for invitation in invitations_open:  # the list says which links still work
        invitation.expired = deadlines.invitation_expired(invitation, now=now)
    memberships = list(selectors.memberships_of(organisation))
    context = {
        "organisation": organisation,
        "memberships": memberships,
        # Verified by a member's own sign-in (intake.services.representation), not by VLAIO.
        "verified_by_sign_in": organisation.verification_method == VerificationMethod.LOGIN,
        "invitations": invitations_open,
        "is_owner": selectors.is_owner(user=request.user, organisation=organisation),
        "invitation_form": invitation_form,
        "preregistrations": preregistrations_for_user(request.user).filter(organisation=organisation),
        "evidence": selectors.evidence_of(organisation),
        "evidence_form": evidence_form or EvidenceForm(),
        "join_requests": selectors.open_join_requests(organisation),
        "contested": selectors.open_contests(organisation).exists(),
        **_registry_panel(organisation),
    }
    return render(request, "intake/organisation_detail.html", context, status=status)


@login_required
def organisation_detail(request, pk):
    return _detail(request, selectors.organisation_for_user(user=request.user, pk=pk), InvitationForm())


@login_required
@require_POST
def invitation_create(request, pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitations.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect(organisation)
    return _detail(request, organisation, form, status=400)


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    invitation = selectors.invitation_for_owner(user=request.user, organisation=organisation, pk=invitation_pk)
    run(request, invitations.invitation_revoke, invitation=invitation, actor=request.user, success=_("Invitation withdrawn."))
    return redirect(organisation)


@login_required
@require_POST
def membership_remove(request, pk, membership_pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    membership = selectors.membership_for_owner(user=request.user, organisation=organisation, pk=membership_pk)
    run(request, organisations.membership_remove, membership=membership, actor=request.user, success=_("Member removed."))
    if membership.user_id == request.user.id and not selectors.organisations_for_user(request.user).filter(pk=pk).exists():
        return redirect("intake:organisation_list")
    return redirect(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = selectors.invitation_by_token(token=token)
    if request.method == "POST":
        try:
            membership = invitations.invitation_accept(token=token, user=request.user)
        except DomainError as exc:
            report(request, exc)
        else:
            messages.success(request, _("You are now a member of %(org)s.") % {"org": membership.organisation.name})
            return redirect(membership.organisation)
    context = {"invitation": invitation, "expired": deadlines.invitation_expired(invitation)}
    return render(request, "intake/invitation_accept.html", context)


@login_required
@require_POST
def evidence_upload(request, pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            verification.evidence_upload(organisation=organisation, uploaded_file=form.cleaned_data["file"], actor=request.user)
        except DomainError as exc:
            attach(exc, form)
        else:
            messages.success(request, _("Evidence added. A call manager of VLAIO verifies it; meanwhile you can keep working."))
            return redirect(organisation)
    return _detail(request, organisation, InvitationForm(), status=400, evidence_form=form)


@login_required
def evidence_download(request, pk, evidence_pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    evidence = selectors.evidence_for_member(user=request.user, organisation=organisation, pk=evidence_pk)
    try:
        return evidence_response(evidence)
    except FileNotFoundError:
        raise Http404 from None


@login_required
@require_POST
def join_request_decide(request, pk, claim_pk):
    organisation = selectors.organisation_for_user(user=request.user, pk=pk)
    claim = selectors.join_request_for_owner(user=request.user, organisation=organisation, pk=claim_pk)
    decision = request.POST.get("decision", "")
    success = _("%(email)s is now a member.") if decision == verification.ADD_MEMBER else _("Request of %(email)s refused.")
    run(
        request,
        verification.claim_decide,
        claim_id=claim.pk,
        actor=request.user,
        decision=decision,
        success=success % {"email": claim.claimant.email},
    )
    return redirect(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_claim(request, enterprise_number):
    """A second person who typed a number already in the portal: ask to join, or contest."""
    organisation = selectors.organisation_by_number(enterprise_number=enterprise_number)
    if selectors.organisations_for_user(request.user).filter(pk=organisation.pk).exists():
        return redirect(organisation)
    kind = request.POST.get("kind") if request.method == "POST" else None
    join_form = JoinRequestForm(request.POST if kind == ClaimKind.JOIN else None, prefix="join")
    contest_form = ContestForm(
        request.POST if kind == ClaimKind.CONTEST else None,
        request.FILES if kind == ClaimKind.CONTEST else None,
        prefix="contest",
    )
    form = {ClaimKind.JOIN: join_form, ClaimKind.CONTEST: contest_form}.get(kind)
    if form is not None and form.is_valid():
        try:
            verification.claim_create(
                organisation=organisation,
                claimant=request.user,
                kind=kind,
                motivation=form.cleaned_data["motivation"],
                uploaded_file=form.cleaned_data.get("file"),
            )
        except DomainError as exc:
            attach(exc, form)
        else:
            messages.success(
                request,
                _("Your request to join was sent to the owners of %(org)s.") % {"org": organisation.name}
                if kind == ClaimKind.JOIN
                else _("Your claim on %(org)s was sent to VLAIO. A call manager decides and tells you by e-mail.")
                % {"org": organisation.name},
            )
            return redirect("intake:organisation_claim", enterprise_number=enterprise_number)
    context = {
        "organisation": organisation,
        "join_form": join_form,
        "contest_form": contest_form,
        "open_claim": selectors.open_claim_of(user=request.user, organisation=organisation),
    }
    return render(request, "intake/organisation_claim.html", context, status=400 if form is not None else 200)

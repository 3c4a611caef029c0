"""A recorded submission (intake.models.submissions) can be neither changed nor deleted."""

import pytest
from django.core.exceptions import ValidationError

from intake.models import Submission
from intake.services.submissions import preregistration_submit


@pytest.mark.django_db
def test_submission_is_immutable(call, user, draft):
    submission = preregistration_submit(preregistration_id=draft.pk, actor=user)
    original = Submission.objects.filter(pk=submission.pk).values().get()

    submission.snapshot = "{}"
    with pytest.raises(ValidationError):
        submission.save()
    with pytest.raises(ValidationError):
        submission.delete()

    assert Submission.objects.filter(pk=submission.pk).values().get() == original

"""Invitations expire (issue 13): existing ones get the default validity from when they
were made, so a link sent long ago stops working instead of working for ever."""

from datetime import timedelta

from django.db import migrations, models


def valid_for_14_days(apps, schema_editor):
    Invitation = apps.get_model("intake", "Invitation")
    for invitation in Invitation.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        invitation.expires_at = invitation.created_at + timedelta(days=14)
        invitation.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("intake", "0009_call_preregistration_counter")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="valid until"),
        ),
        migrations.RunPython(valid_for_14_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitation",
            name="expires_at",
            field=models.DateTimeField(verbose_name="valid until"),
        ),
    ]

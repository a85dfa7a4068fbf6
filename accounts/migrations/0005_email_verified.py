from django.db import migrations, models
from django.db.models import F, Q


def vouch_for_known_addresses(apps, schema_editor):
    """Until now the portal signed up only with a code sent to the address, and staff made the
    rest: those addresses are proven. Accounts with a username came from the rewriting service's
    sign-up, which proves no address."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(Q(username__isnull=True) | Q(role="admin")).update(
        email_verified_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_failures"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="邮箱验证时间"),
        ),
        migrations.RunPython(vouch_for_known_addresses, migrations.RunPython.noop),
    ]

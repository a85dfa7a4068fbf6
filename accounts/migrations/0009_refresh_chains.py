import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Each existing session is a chain of its own: a default computed once would put every
    session in one chain, and one reused token would end them all."""

    dependencies = [("accounts", "0008_user_rate")]

    operations = [
        migrations.AddField(
            model_name="loginsession",
            name="chain_id",
            field=models.UUIDField(null=True, verbose_name="登录链"),
        ),
        migrations.RunSQL(
            "UPDATE accounts_loginsession SET chain_id = id", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="loginsession",
            name="chain_id",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, verbose_name="登录链"),
        ),
        migrations.AddField(
            model_name="loginsession",
            name="replaced_by",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="replaces",
                to="accounts.loginsession",
                verbose_name="刷新后的会话",
            ),
        ),
    ]

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from csa.migration_operations import trigram_index


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_email_verified")]

    operations = [
        TrigramExtension(),
        trigram_index("accounts_user", "email"),
        trigram_index("accounts_user", "username"),
        trigram_index("accounts_user", "phone"),
    ]

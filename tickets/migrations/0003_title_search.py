from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from csa.migration_operations import trigram_index


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_tallies_and_newest_indexes")]

    operations = [TrigramExtension(), trigram_index("tickets_ticket", "title")]

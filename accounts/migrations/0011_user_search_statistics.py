"""Ten times the planner's statistics for the columns `/user/list` and the console search by
substring, and for their trigram indexes' expressions. With the default sample, how many users a
`LIKE '%…%'` matches is guessed from a 100-value histogram: about one ANALYZE in fifteen guessed so
few that a search by phone and a two-letter username walked every user newest first instead of
reading the phone's trigram index (tests/scale/test_user_search_plans.py)."""

from django.db import migrations

from csa.migration_operations import PostgreSQLOnly

COLUMNS = ("email", "username", "phone")


def statistics(target: int) -> str:
    return "; ".join(
        f"ALTER TABLE accounts_user ALTER COLUMN {column} SET STATISTICS {target}; "
        f"ALTER INDEX accounts_user_{column}_trgm ALTER COLUMN 1 SET STATISTICS {target}"
        for column in COLUMNS
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_invitees_newest")]

    operations = [
        PostgreSQLOnly(
            statistics(1000) + "; ANALYZE accounts_user",
            statistics(-1),
        ),
    ]

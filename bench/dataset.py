"""The benchmark's data set, a million tickets, written by PostgreSQL's `generate_series` in a
few minutes into an empty database (the full scale below; the query plan tests load a smaller one).

- 1,000 customers (`bench0000@example.com` …), each with 100 support tickets and 100 ledger rows
  (a recharge, then spends on rewriting tasks with their text snapshots): the load's customers.
- One heavy customer (`heavy@example.com`) with 200,000 tickets and 200,000 ledger rows and
  tasks: the lists that must cost what a normal customer's cost.
- 7,000 more customers with 100 tickets each, so the tickets table holds 1,000,000 rows, the
  ledger 300,000 and the tasks table about 300,000.
- One staff member (`staff@example.com`) who answered a third of the tickets.

Rows are written in bulk, not through the services (a data set, not traffic); the counts the
services keep (ticket tallies, ledger counts, balances) are computed from them at the end.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

PASSWORD = "bench-password-1"  # noqa: S105 (the data set's own)
HEAVY_EMAIL = "heavy@example.com"
STAFF_EMAIL = "staff@example.com"
RECHARGE = 1_000_000
SPEND = "1.5"
TEXT = "本文研究了深度学习在自然语言处理中的应用，并提出了一种新的文本改写方法。" * 14
RESULT = "本研究探讨了深度学习于自然语言处理领域的应用，并给出一种新的文本改写方法。" * 14


@dataclass(frozen=True)
class Scale:
    customers: int = 1000
    per_customer: int = 100
    heavy_rows: int = 200_000
    fillers: int = 7000

    @property
    def tickets(self) -> int:
        return (self.customers + self.fillers) * self.per_customer + self.heavy_rows

    @property
    def ledger_rows(self) -> int:
        return self.customers * self.per_customer + self.heavy_rows

    def __str__(self) -> str:
        return (
            f"{self.customers + self.fillers + 2:,} users, {self.tickets:,} tickets "
            f"({self.heavy_rows:,} of one customer), {self.ledger_rows:,} ledger rows "
            "and as many rewriting tasks as spends"
        )


FULL = Scale()


def bench_email(number: int) -> str:
    return f"bench{number:04d}@example.com"


def dataset_is_loaded(scale: Scale = FULL) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        return cursor.fetchone()[0] >= scale.tickets


@transaction.atomic
def dataset_load(scale: Scale = FULL) -> None:
    with connection.cursor() as cursor:
        for statement, params in _statements(make_password(PASSWORD), scale):
            cursor.execute(statement, params)


def _statements(password: str, scale: Scale):
    yield (
        # Users: customers, the heavy one, the fillers, staff.
        """
        INSERT INTO accounts_user (password, uuid, email, username, role, is_active,
            invite_code, created_at, email_verified_at)
        SELECT %(password)s, gen_random_uuid(), email, username, role, true,
            'B' || to_char(n, 'FM00000'), now() - interval '365 days',
            now() - interval '365 days'
        FROM (
            SELECT n, format('bench%%s@example.com', to_char(n, 'FM0000')) AS email,
                format('bench%%s', to_char(n, 'FM0000')) AS username, 'user' AS role
            FROM generate_series(0, %(customers)s - 1) AS n
            UNION ALL SELECT %(customers)s, %(heavy)s, 'heavy', 'user'
            UNION ALL
            SELECT n, format('fill%%s@example.com', n), format('fill%%s', n), 'user'
            FROM generate_series(%(customers)s + 1, %(customers)s + %(fillers)s) AS n
            UNION ALL SELECT %(customers)s + %(fillers)s + 1, %(staff)s, 'staff', 'admin'
        ) AS people
        """,
        {
            "password": password,
            "customers": scale.customers,
            "heavy": HEAVY_EMAIL,
            "fillers": scale.fillers,
            "staff": STAFF_EMAIL,
        },
    )
    yield (
        # Tickets: every third one answered by staff, and closed once answered two months
        # ago; spread over the year, as use would.
        """
        INSERT INTO tickets_ticket (id, creator_id, title, ticket_type, content, status,
            feedback, responder_id, created_at, replied_at, first_response_due_at,
            first_responded_at, closed_at)
        SELECT gen_random_uuid(), creator_id, format('工单 %%s：%%s', n, topic),
            (ARRAY['financial', 'technical', 'business'])[n %% 3 + 1],
            repeat('导出报表时页面提示失败，请协助排查。', 4),
            CASE WHEN n %% 3 = 0 THEN 'replied' ELSE 'pending' END,
            CASE WHEN n %% 3 = 0 THEN '已修复，请刷新页面后重试。' END,
            CASE WHEN n %% 3 = 0 THEN staff_id END,
            at, CASE WHEN n %% 3 = 0 THEN at + interval '2 hours' END,
            at + interval '24 hours', CASE WHEN n %% 3 = 0 THEN at + interval '2 hours' END,
            CASE WHEN n %% 3 = 0 AND at < now() - interval '60 days'
                THEN at + interval '3 days' END
        FROM (
            SELECT u.id AS creator_id, staff.id AS staff_id, n,
                (now() - interval '365 days') + random() * interval '365 days' AS at,
                (ARRAY['无法导出财务报表', '发票抬头需要修改', '登录时提示密码错误',
                       '合同签署页面打不开', '项目文件上传失败', '充值后积分未到账',
                       '改写结果格式错乱'])[n %% 7 + 1] AS topic
            FROM accounts_user u
            CROSS JOIN (SELECT id FROM accounts_user WHERE email = %(staff)s) AS staff
            CROSS JOIN LATERAL generate_series(
                1, CASE WHEN u.email = %(heavy)s THEN %(heavy_rows)s ELSE %(per)s END) AS n
            WHERE u.role = 'user'
        ) AS rows
        """,
        {
            "staff": STAFF_EMAIL,
            "heavy": HEAVY_EMAIL,
            "heavy_rows": scale.heavy_rows,
            "per": scale.per_customer,
        },
    )
    yield (
        # The ledger of the load's customers and the heavy one: a recharge, then spends.
        """
        INSERT INTO points_pointstransaction (user_id, transaction_type, amount, balance_after,
            description, reference_id, is_successful, user_input_file, ai_response_file,
            created_at)
        SELECT u.id,
            CASE WHEN k = 0 THEN 'recharge' ELSE 'spend' END,
            CASE WHEN k = 0 THEN %(recharge)s ELSE -%(spend)s::numeric END,
            %(recharge)s - k * %(spend)s::numeric,
            CASE WHEN k = 0 THEN '管理员充值' ELSE '降重任务：知网 降重（500字）' END,
            CASE WHEN k > 0 THEN format('onlyjc_%%s_%%s', u.id, k) END,
            true,
            CASE WHEN k > 0 THEN format('rewriting/%%s/%%s/input.txt', u.id, k) ELSE '' END,
            CASE WHEN k > 0 THEN format('rewriting/%%s/%%s/output.txt', u.id, k) ELSE '' END,
            (now() - interval '365 days') + k * (interval '365 days' / rows.n)
        FROM accounts_user u
        CROSS JOIN LATERAL (SELECT CASE WHEN u.email = %(heavy)s
            THEN %(heavy_rows)s ELSE %(per)s END AS n) AS rows
        CROSS JOIN LATERAL generate_series(0, rows.n - 1) AS k
        WHERE u.email LIKE 'bench%%' OR u.email = %(heavy)s
        """,
        {
            "recharge": RECHARGE,
            "spend": SPEND,
            "heavy": HEAVY_EMAIL,
            "heavy_rows": scale.heavy_rows,
            "per": scale.per_customer,
        },
    )
    yield (
        # A finished rewriting task behind every spend.
        """
        INSERT INTO rewriting_rewritingtask (owner_id, text, platform, task_type, service, tool,
            upstream_task_id, cost, status, progress, result, upstream_details, failure_reason,
            spend_id, created_at, updated_at, finished_at)
        SELECT user_id, %(text)s, 'zhiwang', 'reduce-plagiarism', 'reduceai', 'onlyjc',
            reference_id, -amount, 'completed', 100, %(result)s, '{}', '', id,
            created_at, created_at + interval '1 minute', created_at + interval '1 minute'
        FROM points_pointstransaction WHERE transaction_type = 'spend'
        """,
        {"text": TEXT, "result": RESULT},
    )
    yield (
        # What the services keep beside the rows.
        """
        INSERT INTO tickets_tickettally (creator_id, pending, replied, pending_closed,
            replied_closed, revision)
        SELECT creator_id, count(*) FILTER (WHERE status = 'pending'),
            count(*) FILTER (WHERE status = 'replied'),
            count(*) FILTER (WHERE status = 'pending' AND closed_at IS NOT NULL),
            count(*) FILTER (WHERE status = 'replied' AND closed_at IS NOT NULL), 0
        FROM tickets_ticket GROUP BY creator_id
        """,
        {},
    )
    yield (
        """
        INSERT INTO points_pointsaccount (user_id, balance, held, transaction_count, updated_at)
        SELECT user_id, sum(amount), 0, count(*), max(created_at)
        FROM points_pointstransaction GROUP BY user_id
        """,
        {},
    )

"""Whole theses and single paragraphs through real processes: a customer uploads a .docx to an
app server, the background worker (`celery worker --beat`, its periodic document job as the
settings schedule it) sends the pieces to a vendor that finishes each at once, polls them and
puts the thesis back together, and the customer downloads it through the app's signed link; a
paragraph is answered rewritten within its request."""

import io
from decimal import Decimal

import docx
import pytest
import requests
from django_celery_beat.models import PeriodicTask

from points.models import PointsAccount
from rewriting.documents.stored import CONTENT_TYPE
from tests.live.answers import envelope, envelope_data
from tests.live.processes import REQUEST_TIMEOUT_SECONDS, wait_for
from tests.live.servers import app_and_worker
from tests.live.vendors import serving_vendors
from tests.rewriting.documents import builders
from tests.rewriting.documents.flow import (
    DOCX,
    MARK,
    PARAGRAPH,
    STATE,
    UPLOADED,
    finishing,
    texts_of,
)
from tests.rewriting.helpers import funded_user

FUNDS = Decimal(100)
HEADING = "第一章 绪论"
PARAGRAPH_TEXT = "深度学习方法在文本改写任务中表现良好。"
# The worker's first beat, its rounds every 3 s and the vendor's polling interval, on a loaded
# machine: generous.
DOCUMENT_SECONDS = 120


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_thesis_is_rewritten_by_the_worker_and_downloaded_through_the_app(
    tmp_path, live_database_url, make_token
):
    customer = funded_user(FUNDS)
    token = make_token(customer)
    with (
        serving_vendors() as (vendors, vendor_settings),
        app_and_worker(
            "app", workdir=tmp_path, database_url=live_database_url, **vendor_settings
        ) as app,
    ):
        for vendor in vendors.values():
            vendor.on_task = finishing
        uploaded = envelope(
            requests.post(
                f"{app.url}{DOCX}",
                files={"file": ("论文.docx", builders.thesis_bytes(), CONTENT_TYPE)},
                data={"rewrite_type": "0", "platform": "zhiwang"},
                headers={"Accept": "application/json", "Authorization": f"Bearer {token}"},
                timeout=REQUEST_TIMEOUT_SECONDS,
            ),
            200,
        )
        assert uploaded["message"] == UPLOADED
        order = uploaded["data"]
        cost = Decimal(str(order["cost"]))
        assert cost > 0 and order["file_name"] == "论文.docx"

        states: list[dict] = []

        def finished() -> bool:
            answer = envelope_data(app.post(STATE, {"order_id": order["order_id"]}, token=token))
            states.append(answer)
            assert answer["state"] != 3, f"the document failed: {answer}"
            return answer["state"] == 2

        wait_for(finished, what="the worker finishing the document", seconds=DOCUMENT_SECONDS)
        done = states[-1]
        download = requests.get(done["download_url"], timeout=REQUEST_TIMEOUT_SECONDS)

    assert (done["success"], done["progress"], done["pieces_failed"]) == (True, 100, 0)
    assert done["pieces_done"] == done["pieces_total"] >= 1
    assert sum(vendor.submits for vendor in vendors.values()) == done["pieces_total"]
    assert download.status_code == 200, download.text[:500]
    assert download.headers["Content-Type"] == CONTENT_TYPE
    texts = texts_of(docx.Document(io.BytesIO(download.content)))
    assert texts[0] == HEADING  # the heading as it was
    assert any(text.startswith(MARK) for text in texts)
    account = PointsAccount.objects.get(user=customer)
    assert (account.balance, account.held) == (FUNDS - cost, 0)
    advancing = PeriodicTask.objects.get(name="推进文档改写")  # the beat entry that did it
    assert advancing.total_run_count >= 1


@pytest.mark.django_db(transaction=True)
def test_a_paragraph_is_answered_rewritten_within_its_request(
    tmp_path, live_database_url, make_token
):
    customer = funded_user(FUNDS)
    token = make_token(customer)
    with (
        serving_vendors() as (vendors, vendor_settings),
        app_and_worker(
            "app", workdir=tmp_path, database_url=live_database_url, **vendor_settings
        ) as app,
    ):
        for vendor in vendors.values():
            vendor.on_task = finishing
        answer = envelope_data(
            app.post(PARAGRAPH, {"text": PARAGRAPH_TEXT, "type": 0}, token=token)
        )

    assert answer["status"] == "completed"
    assert answer["text"] == f"{MARK}{PARAGRAPH_TEXT}"
    cost = Decimal(str(answer["cost"]))
    assert Decimal(str(answer["new_balance"])) == FUNDS - cost
    assert vendors[answer["service"]].submits == 1

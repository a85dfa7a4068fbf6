"""Whole theses through the API: uploaded and held, sent in pieces by the worker to the fake
vendors over real HTTP, put back together, downloaded by their owner; failures given back."""

import io
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from points.amounts import points_text
from points.models import PointsTransaction, TransactionType
from points.services import points_recharge
from rewriting.documents import body_of, document_bytes, document_opened
from rewriting.models import DocumentPiece, DocumentStatus, PieceStatus, RewritingDocument
from tests.rewriting.documents import builders as b
from tests.rewriting.documents.flow import (
    MARK,
    UPLOADED,
    downloaded,
    failing,
    finishing,
    rewritten,
    state,
    texts_of,
    upload,
    worker_round,
)
from tests.rewriting.helpers import funded_user, points_account, transactions
from tests.rewriting_accounts.helpers import bearer, post
from tests.threads import all_at_once, races_need_postgresql

THESIS = b.thesis_bytes()
CHARACTERS = body_of(document_opened(THESIS)).characters
COST = Decimal(CHARACTERS * 3) / 1000  # a few hundred characters: exact in three places


def long_thesis(paragraphs: int, length: int = 1000) -> bytes:
    """`paragraphs` body paragraphs of `length` Chinese characters, each saying where it is."""
    document = docx.Document()
    document.add_heading("第一章 绪论", level=1)
    for index in range(paragraphs):
        head = f"第{index}段"
        document.add_paragraph(head + "研" * (length - len(head)))
    return document_bytes(document)


@pytest.fixture
def rich(db):
    return funded_user(100)


@pytest.fixture
def rich_token(rich, make_token) -> str:
    return make_token(rich)


def uploaded(api_client, token: str, data: bytes = THESIS, **fields) -> str:
    response = upload(api_client, token, data, **fields)
    assert response.status_code == 200, response.json()
    return response.json()["data"]["order_id"]


def test_an_upload_holds_the_whole_cost_and_sends_nothing_yet(
    api_client, rich, rich_token, reduceai
):
    response = upload(api_client, rich_token, THESIS)

    body = response.json()
    assert (response.status_code, body["code"], body["message"]) == (200, 0, UPLOADED)
    data = body["data"]
    assert data["order_id"].startswith("DOC") and len(data["order_id"]) == 27
    assert data["word_count"] == CHARACTERS
    assert Decimal(str(data["cost"])) == COST
    assert Decimal(str(data["new_balance"])) == 100 - COST
    account = points_account(rich)
    assert (account.balance, account.held) == (100, COST)
    assert reduceai.submits == 0  # no vendor sees it inside the request
    assert transactions(api_client, rich_token)[0]["transaction_type"] == "recharge"
    assert state(api_client, rich_token, data["order_id"]).json()["data"]["state"] == 0


def test_the_rewritten_thesis_keeps_its_structure_and_every_piece_in_order(
    api_client, rich, rich_token, reduceai
):
    reduceai.on_task = finishing
    order_id = uploaded(api_client, rich_token)

    worker_round()  # sends the pieces; the vendor finishes them at once
    assert reduceai.submits == 1  # a short thesis is one piece
    worker_round()  # polls them, and puts the document together

    answer = state(api_client, rich_token, order_id).json()["data"]
    assert (answer["state"], answer["success"], answer["state_text"]) == (2, True, "已完成")
    assert (answer["pieces_total"], answer["pieces_done"], answer["progress"]) == (1, 1, 100)
    result = downloaded(api_client, answer["download_url"])
    texts = texts_of(result)
    for text in [b.METHOD, b.CELL_A, b.CELL_B, b.CELL_MERGED, b.FIGURE, b.AFTER_BREAK]:
        assert f"{MARK}{text}" in texts
    assert f"{MARK}{b.INTRODUCTION}" in texts  # the two runs' text, in the first run
    assert texts[0] == "第一章 绪论"  # the heading as it was
    assert texts[-2:] == ["参考文献", b.REFERENCE]  # the references too
    assert result.inline_shapes and len(result.inline_shapes) == 1  # the image stays
    xml = result.element.xml
    assert "footnoteReference" in xml and "oMath" in xml and "fldSimple" in xml
    rewritable = body_of(document_opened(THESIS)).rewritable
    assert [t for t in texts if MARK in t] == [rewritten(text) for _, text in rewritable]


def test_the_spend_is_recorded_once_when_the_first_piece_is_taken(
    api_client, rich, rich_token, reduceai, settings
):
    settings.DOCUMENT_PIECES_IN_FLIGHT = 2
    order_id = uploaded(api_client, rich_token, long_thesis(12))  # 6 pieces of 2 paragraphs

    worker_round()
    worker_round()

    assert reduceai.submits == 2  # the document's bound: none finished, none more sent
    spends = PointsTransaction.objects.filter(user=rich, transaction_type=TransactionType.SPEND)
    assert spends.count() == 1
    spend = spends.get()
    document = RewritingDocument.objects.get(order_id=order_id)
    assert (spend.amount, spend.reference_id) == (-document.cost, order_id)
    assert spend.description == f"文档降重（知网版）：论文.docx（{document.characters}字）"
    account = points_account(rich)
    assert (account.balance, account.held) == (100 - document.cost, 0)
    assert transactions(api_client, rich_token)[0]["reference_id"] == order_id


def test_a_vendor_has_at_most_its_bound_of_pieces_from_all_documents(
    api_client, rich, rich_token, reduceai, settings
):
    points_recharge(user=rich, amount=Decimal(100))  # three long theses
    settings.DOCUMENT_PIECES_IN_FLIGHT = 3
    settings.DOCUMENT_VENDOR_PIECES_IN_FLIGHT = 4
    for _ in range(3):
        uploaded(api_client, rich_token, long_thesis(12))

    worker_round()
    worker_round()

    assert reduceai.submits == 4
    in_flight = DocumentPiece.objects.filter(status=PieceStatus.SUBMITTED)
    assert in_flight.count() == 4

    for task in reduceai.tasks.values():
        finishing(task)
    worker_round()  # the four finish, and four more go
    assert reduceai.submits == 8


def test_a_long_thesis_comes_back_whole_and_in_order(api_client, rich_token, cheeyuan):
    cheeyuan.on_task = finishing
    order_id = uploaded(api_client, rich_token, long_thesis(12), rewrite_type="1")

    for _ in range(4):
        worker_round()

    answer = state(api_client, rich_token, order_id).json()["data"]
    assert (answer["state"], answer["pieces_total"], answer["pieces_done"]) == (2, 6, 6)
    texts = texts_of(downloaded(api_client, answer["download_url"]))
    body = [text for text in texts if text.startswith(MARK)]
    assert [text.removeprefix(MARK).split("段")[0] for text in body] == [
        f"第{i}" for i in range(12)
    ]


def test_a_vendor_failing_half_the_pieces_ends_in_an_exact_refund(
    api_client, rich, rich_token, reduceai, settings
):
    settings.DOCUMENT_PIECE_ATTEMPTS = 2
    settings.DOCUMENT_PIECE_RETRY_SECONDS = 0
    settings.DOCUMENT_PIECES_IN_FLIGHT = 10
    # Pieces whose text starts with an even paragraph number fail every time.
    reduceai.on_task = lambda task: (
        failing(task) if int(task.text[1:].split("段")[0]) % 4 == 0 else finishing(task)
    )
    order_id = uploaded(api_client, rich_token, long_thesis(8))  # 4 pieces: 0-1, 2-3, 4-5, 6-7

    for _ in range(5):
        worker_round()

    document = RewritingDocument.objects.get(order_id=order_id)
    assert document.status == DocumentStatus.FAILED
    assert reduceai.submits == 4 + 2  # each failing piece sent twice
    failed = document.pieces.filter(status=PieceStatus.FAILED)
    assert sorted(failed.values_list("position", flat=True)) == [0, 2]
    undelivered = sum(failed.values_list("characters", flat=True))
    refund = PointsTransaction.objects.get(user=rich, transaction_type=TransactionType.REFUND)
    expected = (document.cost * undelivered / document.characters).quantize(Decimal("0.001"))
    assert refund.amount == expected == document.cost / 2
    assert refund.refund_of_id == document.spend_id
    account = points_account(rich)
    assert (account.balance, account.held) == (100 - document.cost + refund.amount, 0)

    answer = state(api_client, rich_token, order_id).json()["data"]
    assert (answer["state"], answer["success"]) == (2, False)
    assert Decimal(str(answer["refunded"])) == refund.amount
    assert answer["state_text"].startswith("部分完成：2 个片段未能改写")
    texts = texts_of(downloaded(api_client, answer["download_url"]))
    assert sum(text.startswith(MARK) for text in texts) == 4  # paragraphs 2, 3, 6, 7
    assert any(text.startswith("第0段") for text in texts)  # kept as it was

    worker_round()  # nothing more is given back, whatever runs again
    assert PointsTransaction.objects.filter(transaction_type=TransactionType.REFUND).count() == 1


def test_a_document_nothing_of_which_was_rewritten_gives_everything_back(
    api_client, rich, rich_token, reduceai, settings
):
    settings.DOCUMENT_PIECE_ATTEMPTS = 1
    reduceai.on_task = failing
    order_id = uploaded(api_client, rich_token)

    worker_round()
    worker_round()

    answer = state(api_client, rich_token, order_id).json()["data"]
    assert (answer["state"], answer["success"], answer["download_url"]) == (3, False, None)
    document = RewritingDocument.objects.get(order_id=order_id)
    assert document.spend.is_successful is False
    assert document.spend.refund.amount == document.cost
    assert points_account(rich).balance == 100
    refused = post(
        api_client, "/points/refund", {"transaction_id": document.spend_id}, **bearer(rich_token)
    )
    assert refused.json()["message"] == "该交易已返还积分，请勿重复操作"


def test_a_vendor_that_never_takes_a_piece_leaves_the_points_untouched(
    api_client, rich, rich_token, reduceai, settings
):
    settings.DOCUMENT_PIECE_ATTEMPTS = 2
    settings.DOCUMENT_PIECE_RETRY_SECONDS = 0
    reduceai.refuse("余额不足")
    order_id = uploaded(api_client, rich_token)

    worker_round()
    worker_round()

    answer = state(api_client, rich_token, order_id).json()["data"]
    assert (answer["state"], answer["state_text"]) == (3, "改写失败，冻结积分已释放")
    assert reduceai.submits == 2
    account = points_account(rich)
    assert (account.balance, account.held) == (100, 0)
    assert [row["transaction_type"] for row in transactions(api_client, rich_token)] == ["recharge"]
    assert DocumentPiece.objects.get().error == "余额不足"


def test_a_piece_cut_off_while_sending_is_sent_again(api_client, rich_token, reduceai):
    order_id = uploaded(api_client, rich_token)
    DocumentPiece.objects.update(status=PieceStatus.SUBMITTING, submitted_at="2000-01-01T00:00Z")

    worker_round()  # found cut off: it waits for its back-off
    piece = DocumentPiece.objects.get()
    assert (piece.status, piece.error) == (PieceStatus.WAITING, "提交中断")
    DocumentPiece.objects.update(next_attempt_at=None)
    worker_round()

    assert reduceai.submits == 1
    assert RewritingDocument.objects.get(order_id=order_id).spend_id is not None


def test_staff_retry_a_failed_document_without_giving_back_twice(
    api_client, rich, rich_token, reduceai, settings
):
    from rewriting.services import rewriting_document_retry

    settings.DOCUMENT_PIECE_ATTEMPTS = 1
    reduceai.on_task = failing
    order_id = uploaded(api_client, rich_token)
    worker_round()
    worker_round()
    document = RewritingDocument.objects.get(order_id=order_id)
    assert document.status == DocumentStatus.FAILED

    reduceai.on_task = finishing
    assert rewriting_document_retry(document=document) == 1
    worker_round()
    worker_round()

    document.refresh_from_db()
    assert document.status == DocumentStatus.COMPLETED and document.output_file
    # Its points were given back at the failure; the retry was staff's, and free.
    assert points_account(rich).balance == 100
    assert PointsTransaction.objects.filter(transaction_type=TransactionType.REFUND).count() == 1


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fields", "message"),
    [
        (b"not a word file", {}, "文件不是有效的 .docx 文档"),
        (
            b.rezipped(THESIS, replaced={"word/vbaProject.bin": b"x"}),
            {},
            "文档包含宏，请另存为不含宏的 .docx 后上传",
        ),
        (THESIS, {"rewrite_type": "2"}, "改写类型参数错误，必须为0（降重）或1（降AI率）"),
        (THESIS, {"platform": "gezida"}, "平台参数错误，必须为zhiwang或weipu"),
        (document_bytes(docx.Document()), {}, "文档中没有可改写的正文"),
    ],
)
def test_a_refused_upload_charges_and_keeps_nothing(
    api_client, rich, rich_token, reduceai, data, fields, message
):
    response = upload(api_client, rich_token, data, **fields)

    assert (response.status_code, response.json()["message"]) == (400, message)
    assert not RewritingDocument.objects.exists()
    assert points_account(rich).held == 0


def test_an_upload_without_a_file_is_refused(api_client, rich_token):
    response = api_client.post("/rewrite/rewrite_docx", {"rewrite_type": "0"}, **bearer(rich_token))
    assert (response.status_code, response.json()["message"]) == (400, "请上传 .docx 文件")


def test_an_upload_over_the_cap_is_refused_unread(api_client, rich_token, settings):
    settings.DOCUMENT_MAX_BYTES = len(THESIS) - 1
    response = upload(api_client, rich_token, THESIS)
    assert (response.status_code, response.json()["message"])[0] == 400
    assert response.json()["message"].startswith("文件过大")


def test_not_enough_points_is_refused_and_nothing_is_stored(
    api_client, reduceai, make_token, settings
):
    poor = funded_user(Decimal("0.3"))

    response = upload(api_client, make_token(poor), THESIS)

    message = f"积分不足，当前积分：0.3，需要积分：{points_text(COST)}"
    assert (response.status_code, response.json()["message"]) == (400, message)
    assert not RewritingDocument.objects.exists()
    assert [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()] == []


def test_a_stranger_can_read_neither_the_state_nor_guess_the_file(
    api_client, rich_token, reduceai, token
):
    reduceai.on_task = finishing
    order_id = uploaded(api_client, rich_token)
    worker_round()
    worker_round()

    stranger = state(api_client, token, order_id)
    assert (stranger.status_code, stranger.json()["message"]) == (404, "订单不存在")
    url = state(api_client, rich_token, order_id).json()["data"]["download_url"]
    forged = url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb")
    assert api_client.get(forged).status_code == 403
    assert api_client.get(reverse("rewriting-document-download", args=["x"])).status_code == 403


def test_the_state_costs_the_same_few_queries_however_many_pieces(
    api_client, rich_token, reduceai, django_assert_max_num_queries
):
    order_id = uploaded(api_client, rich_token, long_thesis(30))
    with django_assert_max_num_queries(5):  # session, user, document, pieces' counts
        state(api_client, rich_token, order_id)


def test_the_rewritten_document_is_offered_from_object_storage(
    api_client, rich_token, reduceai, object_storage
):
    reduceai.on_task = finishing
    order_id = uploaded(api_client, rich_token)
    worker_round()
    worker_round()

    url = state(api_client, rich_token, order_id).json()["data"]["download_url"]
    assert url.startswith(object_storage.endpoint_url) and "X-Amz-Signature" in url
    assert "response-content-disposition" in url
    document = RewritingDocument.objects.get(order_id=order_id)
    written = docx.Document(io.BytesIO(object_storage.read(document.output_file)))
    assert any(text.startswith(MARK) for text in texts_of(written))


def test_words_count_is_for_staff(api_client, rich_token, reduceai, admin, make_token):
    order_id = uploaded(api_client, rich_token)

    refused = api_client.get("/rewrite/words_count", **bearer(rich_token))
    assert (refused.status_code, refused.json()["message"]) == (403, "仅管理员可查看字数统计")
    answer = api_client.get("/rewrite/words_count", **bearer(make_token(admin))).json()["data"]
    assert answer["records"][0]["order_id"] == order_id
    assert answer["records"][0]["words_count"] == CHARACTERS
    assert answer["pagination"]["total"] == 1


@races_need_postgresql
@pytest.mark.django_db(transaction=True)
def test_five_documents_at_once_with_points_for_three_get_exactly_three(reduceai, make_token):
    student = funded_user(COST * 3 + Decimal("0.001"))
    token = make_token(student)

    outcomes = all_at_once(lambda: upload(APIClient(), token, THESIS), 5)

    answers = sorted((o.status_code, o.json()["message"][:4]) for o in outcomes)
    assert answers == [(200, UPLOADED[:4])] * 3 + [(400, "积分不足")] * 2
    assert RewritingDocument.objects.count() == 3
    account = points_account(student)
    assert (account.balance, account.held) == (COST * 3 + Decimal("0.001"), COST * 3)

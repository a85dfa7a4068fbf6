"""A thesis's body: what is rewritten, in which pieces, and the document it goes back into."""

import io

import docx
import pytest

from rewriting.documents import (
    body_of,
    body_rewrite,
    counted_characters,
    document_bytes,
    document_opened,
    paragraph_texts,
    pieces_of,
)
from rewriting.documents.body import Piece, shared_out
from tests.rewriting.documents import builders as b

REWRITTEN = [
    b.INTRODUCTION,
    b.METHOD,
    b.CELL_A,
    b.CELL_B,
    b.CELL_MERGED,
    b.FIGURE,
    f"{b.FOOTNOTED}，因此具有推广价值。",
    b.AFTER_BREAK,
]


def vendor(piece: Piece) -> str:
    """What a vendor answers: each line rewritten, the lines kept."""
    return "\n".join(f"改写：{line}" for line in piece.text.split("\n"))


def rewritten(data: bytes, answer=vendor, *, limit: int = 3000) -> docx.document.Document:
    """The document `data` through the whole round: body, pieces, answers, the new document."""
    body = body_of(document_opened(data))
    pieces = pieces_of(body.rewritable, limit=limit)
    body_rewrite(body, paragraph_texts(pieces, [answer(piece) for piece in pieces]))
    return docx.Document(io.BytesIO(document_bytes(body.paragraphs[0].part.document)))


def texts_of(document) -> list[str]:
    return [paragraph.text for paragraph in body_of(document).paragraphs]


def test_the_body_is_every_paragraph_that_is_text_in_reading_order_table_cells_included():
    body = body_of(b.thesis())

    assert [text for _, text in body.rewritable] == REWRITTEN


def test_what_counts_is_cjk_characters_and_latin_letters():
    assert counted_characters("Deep 学习 model，2024年！") == 12
    assert body_of(b.thesis()).characters == sum(map(counted_characters, REWRITTEN))


def test_the_rewritten_document_opens_with_every_paragraph_rewritten_in_order():
    document = rewritten(b.thesis_bytes())

    texts = texts_of(document)
    for original in REWRITTEN:
        assert f"改写：{original}" in texts
    order = [texts.index(f"改写：{original}") for original in REWRITTEN]
    assert order == sorted(order)


def test_headings_equations_fields_numbers_and_references_stay_as_they_were():
    document = rewritten(b.thesis_bytes())

    texts = [paragraph.text for paragraph in document.paragraphs]
    for kept in ("第一章 绪论", "2024", b.EQUATION, "如文献所述", "参考文献", b.REFERENCE):
        assert kept in texts
    assert document.paragraphs[0].style.name == "Heading 1"
    assert document.element.body.xpath(".//m:oMath")


def test_a_paragraph_keeps_its_style_and_its_first_runs_formatting():
    document = rewritten(b.thesis_bytes())

    first = document.paragraphs[1]
    assert first.text == f"改写：{b.INTRODUCTION}"
    assert first.runs[0].bold is True
    assert document.paragraphs[2].style.name == "List Bullet"


def test_images_footnotes_page_breaks_and_tables_are_kept():
    document = rewritten(b.thesis_bytes())

    assert len(document.inline_shapes) == 1
    footnoted = next(p for p in document.paragraphs if p.text.startswith(f"改写：{b.FOOTNOTED}"))
    assert footnoted._p.xpath(".//w:footnoteReference")
    footnotes = [
        rel.target_part for rel in document.part.rels.values() if "footnotes" in rel.reltype
    ]
    assert "脚注：数据来自公开语料。" in footnotes[0].blob.decode()
    paged = next(p for p in document.paragraphs if b.AFTER_BREAK in p.text)
    assert paged._p.xpath(".//w:br[@w:type='page']")
    table = document.tables[0]
    assert table.cell(1, 0).text == table.cell(1, 1).text == f"改写：{b.CELL_MERGED}"


def test_soft_line_breaks_become_spaces_and_go_with_the_old_text():
    document = docx.Document()
    paragraph = document.add_paragraph("第一行")
    paragraph.add_run().add_break()
    paragraph.add_run("第二行")
    body = body_of(document)

    assert body.rewritable == [(0, "第一行 第二行")]
    body_rewrite(body, {0: "新的一行"})
    assert paragraph.text == "新的一行"
    assert not paragraph._p.xpath(".//w:br")


def test_pieces_pack_whole_paragraphs_up_to_the_limit():
    rewritable = [(index, "字" * 40) for index in range(10)]

    pieces = pieces_of(rewritable, limit=100)

    assert [piece.paragraphs for piece in pieces] == [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
    assert all(len(piece.text) <= 100 for piece in pieces)


def test_a_long_paragraph_is_cut_at_sentence_ends_and_a_longer_sentence_where_it_must():
    sentences = ["这是第一句话。", "这是第二句话！", "Third one. ", "甲" * 30]
    text = "".join(sentences)

    pieces = pieces_of([(0, "短段落。"), (1, text), (2, "又一段。")], limit=20)

    assert pieces[0] == Piece("短段落。", (0,))
    cut = [piece for piece in pieces if piece.partial]
    assert "".join(piece.text for piece in cut) == text
    assert all(len(piece.text) <= 20 and piece.paragraphs == (1,) for piece in cut)
    assert cut[0].text == "这是第一句话。这是第二句话！"
    assert pieces[-1] == Piece("又一段。", (2,))


def test_the_parts_of_a_paragraph_come_back_together():
    pieces = [Piece("One. ", (4,), True), Piece("Two。", (4,), True), Piece("三。", (4,), True)]

    assert paragraph_texts(pieces, ["Uno.", "Dos。", "三。"]) == {4: "Uno. Dos。三。"}


def test_an_answer_that_joined_its_lines_is_shared_out_at_sentence_ends():
    piece = Piece("第一段很短。\n第二段比第一段长得多，有两句话。它在这里结束。", (0, 1))

    texts = paragraph_texts([piece], ["新的第一段。新的第二段，有两句话。它在这里结束。"])

    assert texts == {0: "新的第一段。", 1: "新的第二段，有两句话。它在这里结束。"}


def test_a_paragraph_whose_share_is_empty_keeps_its_text():
    assert paragraph_texts([Piece("一段。", (0,))], ["  \n"]) == {}


@pytest.mark.parametrize("parts", [1, 2, 5])
def test_shared_out_gives_as_many_parts_as_weights_and_loses_nothing(parts):
    text = "".join(f"第{n}句话。" for n in range(12))

    shares = shared_out(text, [10] * parts)

    assert len(shares) == parts
    assert "".join(shares) == text


def test_a_thesis_in_many_pieces_comes_back_whole():
    document = docx.Document()
    paragraphs = [f"第{n}段：" + "研究表明这一方法有效。" * (n % 7 + 1) for n in range(200)]
    for text in paragraphs:
        document.add_paragraph(text)
    data = document_bytes(document)

    result = rewritten(data, limit=300)

    assert texts_of(result) == [f"改写：{text}" for text in paragraphs]

"""A thesis's body text: which paragraphs are rewritten, in what pieces, and how the rewritten
text goes back into the same document.

The body is every paragraph of the document, those in table cells included, in reading order, up
to a heading that ends it (参考文献, References, …: DOCUMENT_BODY_END_HEADINGS). Of those, a
paragraph is left exactly as it is when it is a heading, a title, a caption or a table of contents
line (by its style or its outline level), holds an equation or a field (a citation manager's
markers, a cross-reference), or has no character that counts. Footnotes, headers, footers, images
and page layout are never touched.

A rewritten paragraph keeps its paragraph properties and style; its text goes into its first run
with text (so it takes that run's formatting), the other runs lose their text but keep whatever
else they hold (an image, a footnote's marker, a page break), which so follows the paragraph's text.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import regex
from django.conf import settings
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

# What the customers' client counts and so what is priced: CJK characters and Latin letters.
COUNTED = regex.compile(r"[A-Za-z\u4E00-\u9FA5]")
UNTOUCHED_STYLES = ("heading", "title", "subtitle", "toc", "caption", "标题", "目录", "题注")
BODY_OUTLINE_LEVEL = "9"  # Word's outline level of body text; 0–8 are headings
UNTOUCHED_ELEMENTS = (
    ".//m:oMath",
    ".//w:fldChar",
    ".//w:fldSimple",
    ".//w:instrText",
)
TEXT_TAGS = {qn(tag) for tag in ("w:t", "w:tab", "w:cr", "w:noBreakHyphen", "w:softHyphen")}
LINE_BREAK_TYPES = (None, "textWrapping")  # a page or column break is layout: it stays
# Where a sentence ends, so a paragraph too long for one piece is cut there.
SENTENCE_END = regex.compile(r"(?<=[。！？；!?;…])|(?<=[.])(?=\s)")


def counted_characters(text: str) -> int:
    return len(COUNTED.findall(text))


@dataclass(frozen=True)
class Body:
    paragraphs: list[Paragraph]  # the body's paragraphs in reading order
    rewritable: list[tuple[int, str]]  # (index in `paragraphs`, its text) of those rewritten

    @property
    def characters(self) -> int:
        return sum(counted_characters(text) for _, text in self.rewritable)


def body_of(document: Document) -> Body:
    ends = {_compact(heading) for heading in settings.DOCUMENT_BODY_END_HEADINGS}
    paragraphs: list[Paragraph] = []
    for paragraph in paragraphs_in(document):
        if _compact(paragraph.text) in ends:
            break
        paragraphs.append(paragraph)
    rewritable = [
        (index, text)
        for index, paragraph in enumerate(paragraphs)
        if not _untouched(paragraph) and counted_characters(text := paragraph_text(paragraph))
    ]
    return Body(paragraphs=paragraphs, rewritable=rewritable)


def paragraphs_in(container) -> Iterator[Paragraph]:
    """The paragraphs of the document's body or of a cell, tables' cells included, in order; a
    merged cell once."""
    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item
        elif isinstance(item, Table):
            seen = set()
            for row in item.rows:
                for cell in row.cells:
                    if cell._tc not in seen:
                        seen.add(cell._tc)
                        yield from paragraphs_in(cell)


def _compact(text: str) -> str:
    return "".join(text.split()).lower()


def _untouched(paragraph: Paragraph) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "").lower()
    if style.startswith(UNTOUCHED_STYLES):
        return True
    p = paragraph._p
    outline = p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    if outline is not None and outline.get(qn("w:val")) != BODY_OUTLINE_LEVEL:
        return True
    return any(p.xpath(path) for path in UNTOUCHED_ELEMENTS)


def paragraph_text(paragraph: Paragraph) -> str:
    """The text of the paragraph's own runs, line breaks and tabs as spaces (a hyperlink's text
    is not the paragraph's to rewrite)."""
    return " ".join("".join(run.text for run in paragraph.runs).split())


def paragraph_rewrite(paragraph: Paragraph, text: str) -> None:
    runs = [run for run in paragraph.runs if run.text]
    if not runs:
        return
    for run in runs:
        for child in list(run._r):
            line_break = child.tag == qn("w:br") and child.get(qn("w:type")) in LINE_BREAK_TYPES
            if child.tag in TEXT_TAGS or line_break:
                run._r.remove(child)
    runs[0].add_text(text)


def body_rewrite(body: Body, texts: dict[int, str]) -> None:
    """Put each rewritten text into the paragraph of its index; the others stay as they were."""
    for index, text in texts.items():
        paragraph_rewrite(body.paragraphs[index], text)


# --- pieces ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """The text of one vendor task: whole paragraphs, one a line, or a part of one paragraph."""

    text: str
    paragraphs: tuple[int, ...]
    partial: bool = False


def pieces_of(rewritable: list[tuple[int, str]], *, limit: int) -> list[Piece]:
    """The paragraphs in pieces of at most `limit` characters: as many whole paragraphs as fit;
    a paragraph longer than that alone, cut at sentence ends (mid-sentence only where a sentence
    is longer still)."""
    pieces: list[Piece] = []
    batch: list[tuple[int, str]] = []

    def flush() -> None:
        if batch:
            pieces.append(Piece("\n".join(text for _, text in batch), tuple(i for i, _ in batch)))
            batch.clear()

    for index, text in rewritable:
        if len(text) > limit:
            flush()
            pieces.extend(Piece(part, (index,), partial=True) for part in _cut(text, limit))
            continue
        if batch and len("\n".join(t for _, t in batch)) + 1 + len(text) > limit:
            flush()
        batch.append((index, text))
    flush()
    return pieces


def _cut(text: str, limit: int) -> list[str]:
    parts, current = [], ""
    for sentence in _sentences(text, limit):
        if current and len(current) + len(sentence) > limit:
            parts.append(current)
            current = ""
        current += sentence
    parts.append(current)
    return [part for part in parts if part.strip()]


def _sentences(text: str, limit: int) -> Iterator[str]:
    """The sentences of `text`, one longer than `limit` in slices of `limit`."""
    for sentence in SENTENCE_END.split(text):
        for start in range(0, len(sentence), limit):
            yield sentence[start : start + limit]


def paragraph_texts(pieces: list[Piece], results: list[str]) -> dict[int, str]:
    """Each rewritten paragraph's new text from its pieces' results, in the pieces' order. A
    result whose lines do not match its paragraphs one for one (a vendor that joined or split
    lines) is shared out in proportion to the paragraphs' lengths, cut at sentence ends."""
    texts: dict[int, list[str]] = {}
    for piece, result in zip(pieces, results, strict=True):
        lines = [line.strip() for line in result.splitlines() if line.strip()]
        if piece.partial:
            texts.setdefault(piece.paragraphs[0], []).append(joined(lines))
            continue
        if len(lines) != len(piece.paragraphs):
            weights = [len(line) for line in piece.text.split("\n")]
            lines = shared_out(joined(lines), weights)
        for index, line in zip(piece.paragraphs, lines, strict=True):
            texts[index] = [line]
    # A paragraph whose share came back empty keeps its own text.
    return {index: text for index, parts in texts.items() if (text := joined(parts))}


def joined(parts: list[str]) -> str:
    """Parts of one text together: a space between two Latin words, nothing between Chinese."""
    text = ""
    for part in parts:
        gap = " " if text and text[-1].isascii() and part[:1].isascii() and text[-1] != " " else ""
        text += gap + part
    return text


def shared_out(text: str, weights: list[int]) -> list[str]:
    """`text` in len(weights) parts sized like the weights, each cut at the sentence end nearest
    its share (or at the share itself where no sentence ends in reach)."""
    ends = [match.start() for match in SENTENCE_END.finditer(text)] or [len(text)]
    total, parts, start, reached = sum(weights) or 1, [], 0, 0
    for weight in weights[:-1]:
        reached += weight
        target = round(len(text) * reached / total)
        candidates = [end for end in ends if start < end < len(text)]
        cut = min(candidates, key=lambda end: abs(end - target), default=target)
        cut = cut if abs(cut - target) <= max(len(text) // (2 * len(weights)), 1) else target
        cut = max(cut, start)
        parts.append(text[start:cut].strip())
        start = cut
    parts.append(text[start:].strip())
    return parts

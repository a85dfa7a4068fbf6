"""Real Word documents made in the tests: a thesis with everything a thesis holds."""

import base64
import io
import zipfile

import docx
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
FOOTNOTES = (
    f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r><w:t>脚注：数据来自公开语料。'
    "</w:t></w:r></w:p></w:footnote></w:footnotes>"
)
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

INTRODUCTION = "本文研究深度学习在文本改写中的应用。"
METHOD = "我们提出一种新的方法，它在多个数据集上取得了较好的效果。"
CELL_A, CELL_B, CELL_MERGED = (
    "实验组的准确率较高。",
    "对照组的准确率较低。",
    "合并单元格中的说明文字。",
)
FIGURE = "如图所示，模型的损失随训练轮数下降。"
FOOTNOTED = "该结论与已有研究一致"
AFTER_BREAK = "下一页的正文从这里开始。"
EQUATION = "损失函数定义为"
REFERENCE = "[1] 张三. 论文改写研究[J]. 计算机学报, 2020."


def thesis() -> docx.document.Document:
    document = docx.Document()
    document.add_heading("第一章 绪论", level=1)
    first = document.add_paragraph()
    first.add_run("本文研究").bold = True
    first.add_run("深度学习在文本改写中的应用。")
    document.add_paragraph(METHOD, style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = CELL_A, CELL_B
    table.cell(1, 0).merge(table.cell(1, 1)).text = CELL_MERGED
    figure = document.add_paragraph(FIGURE)
    figure.add_run().add_picture(io.BytesIO(PNG))
    _footnoted(document)
    document.add_paragraph("2024")  # no counted character: left alone
    paged = document.add_paragraph()
    paged.add_run().add_break(WD_BREAK.PAGE)
    paged.add_run(AFTER_BREAK)
    equation = document.add_paragraph(EQUATION)
    equation._p.append(parse_xml(f'<m:oMath xmlns:m="{M}"><m:r><m:t>L=x</m:t></m:r></m:oMath>'))
    cited = document.add_paragraph("如文献所述")
    cited._p.append(parse_xml(f'<w:fldSimple xmlns:w="{W}" w:instr=" REF _Ref1 "/>'))
    document.add_heading("参考文献", level=1)
    document.add_paragraph(REFERENCE)
    return document


def _footnoted(document) -> None:
    part = Part(
        PackURI("/word/footnotes.xml"), FOOTNOTES_TYPE, FOOTNOTES.encode(), document.part.package
    )
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    paragraph = document.add_paragraph(FOOTNOTED)
    paragraph.add_run()._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W}" w:id="1"/>'))
    paragraph.add_run("，因此具有推广价值。")


def thesis_bytes() -> bytes:
    out = io.BytesIO()
    thesis().save(out)
    return out.getvalue()


def rezipped(data: bytes, *, drop: str = "", replaced: dict[str, bytes] | None = None) -> bytes:
    """The package `data` with an entry dropped, entries added or replaced (name: bytes)."""
    replaced = replaced or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            if entry.filename != drop and entry.filename not in replaced:
                target.writestr(entry, source.read(entry))
        for name, body in replaced.items():
            target.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()

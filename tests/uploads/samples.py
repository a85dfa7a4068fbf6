"""Small but real files of every type the portal takes, made here from their formats' specs."""

import base64
import io
import json
import struct
import zipfile
import zlib

CFB_SECTOR = 512
FREE, END_OF_CHAIN, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def png() -> bytes:
    """A 1×1 white pixel."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """A 1×1 grey baseline JPEG: one Huffman code each for "no change" and "end of block"."""

    def segment(marker: int, data: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(data) + 2) + data

    return b"".join(
        [
            b"\xff\xd8",
            segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xDB, b"\x00" + b"\x01" * 64),
            segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"),
            segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"),
            segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"),
            segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            b"\x3f",
            b"\xff\xd9",
        ]
    )


def gif() -> bytes:
    """The classic 1×1 transparent GIF."""
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def webp() -> bytes:
    """A 1×1 lossless WebP (the one browsers' feature tests decode)."""
    return base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


# Entries dated by the clock would make the same sample differ between two test workers, whose
# test ids (which show a sample's bytes) must agree.
ZIP_ENTRY_DATE = (2026, 1, 1, 0, 0, 0)


def zip_archive(parts: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (parts or {"readme.txt": b"hello"}).items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_ENTRY_DATE)
            archive.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _ooxml(main_part: str, main_type: str, main_xml: str, media: dict[str, bytes]) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="' + main_part + '" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    return zip_archive(
        {
            "[Content_Types].xml": content_types.encode(),
            "_rels/.rels": rels.encode(),
            main_part: main_xml.encode(),
            **media,
        }
    )


OOXML = "application/vnd.openxmlformats-officedocument"


def docx(picture: bytes = b"") -> bytes:
    """A Word document; with `picture`, one that carries it as a part of its own."""
    return _ooxml(
        "word/document.xml",
        f"{OOXML}.wordprocessingml.document.main+xml",
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>你好</w:t></w:r></w:p></w:body></w:document>",
        {"word/media/image1.png": picture} if picture else {},
    )


def xlsx() -> bytes:
    return _ooxml(
        "xl/workbook.xml",
        f"{OOXML}.spreadsheetml.sheet.main+xml",
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheets/></workbook>",
        {},
    )


def pptx() -> bytes:
    return _ooxml(
        "ppt/presentation.xml",
        f"{OOXML}.presentationml.presentation.main+xml",
        '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
        {},
    )


def ole(stream: str, data: bytes = b"\x00" * 4096) -> bytes:
    """A compound file (MS-CFB version 3) holding one stream, as Office 97-2003 writes its
    documents. The stream is at least 4,096 bytes, so it lives in ordinary sectors (a smaller
    one would need the mini stream)."""
    data = data.ljust(4096, b"\x00")
    data_sectors = -(-len(data) // CFB_SECTOR)
    # Sector 0: the FAT; sector 1: the directory; then the stream.
    chain = [FAT_SECTOR, END_OF_CHAIN, *range(3, 2 + data_sectors), END_OF_CHAIN]
    fat = struct.pack("<128I", *chain, *[FREE] * (128 - len(chain)))
    directory = (
        _cfb_entry("Root Entry", kind=5, child=1, start=END_OF_CHAIN, size=0)
        + _cfb_entry(stream, kind=2, child=NO_STREAM, start=2, size=len(data))
        + _cfb_entry("", kind=0, child=NO_STREAM, start=0, size=0) * 2
    )
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\x00" * 16,
        0x3E,  # minor version
        3,  # major version: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector size 2**9
        6,  # mini sector size 2**6
        b"\x00" * 6,
        0,  # directory sectors (none counted in version 3)
        1,  # FAT sectors
        1,  # the directory's first sector
        0,
        4096,  # mini stream cut-off
        END_OF_CHAIN,  # no mini FAT
        0,
        END_OF_CHAIN,  # no DIFAT sectors
        0,
    ) + struct.pack("<109I", 0, *[FREE] * 108)
    return header + fat + directory + data.ljust(data_sectors * CFB_SECTOR, b"\x00")


def _cfb_entry(name: str, *, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le") if name else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        kind,
        1,  # black
        NO_STREAM,
        NO_STREAM,
        child,
        b"\x00" * 16,
        0,
        0,
        0,
        start,
        size,
    )


def doc() -> bytes:
    return ole("WordDocument")


def xls() -> bytes:
    return ole("Workbook")


def ppt() -> bytes:
    return ole("PowerPoint Document")


def rar4() -> bytes:
    """An empty RAR 4 archive: the marker, the archive header and the end block."""

    def block(kind: int, flags: int, rest: bytes = b"") -> bytes:
        body = struct.pack("<BHH", kind, flags, 7 + len(rest)) + rest
        return struct.pack("<H", zlib.crc32(body) & 0xFFFF) + body

    return b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6) + block(0x7B, 0x4000)


def rar5() -> bytes:
    """An empty RAR 5 archive: the signature, the main header and the end-of-archive header."""

    def header(fields: bytes) -> bytes:
        sized = bytes([len(fields)]) + fields
        return struct.pack("<I", zlib.crc32(sized)) + sized

    return b"Rar!\x1a\x07\x01\x00" + header(b"\x01\x00\x00") + header(b"\x05\x00\x00")


def seven_z() -> bytes:
    """An empty 7z archive, as 7-Zip writes one: the signature header pointing at no header."""
    start_header = struct.pack("<QQI", 0, 0, 0)
    return (
        b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", zlib.crc32(start_header)) + start_header
    )


def text() -> bytes:
    return "会议纪要\n第二行\r\n".encode()


def csv() -> bytes:
    return "姓名,金额\n张三,100\n".encode()


def json_document() -> bytes:
    return json.dumps({"项目": "镜像", "items": [1, 2, 3]}, ensure_ascii=False).encode()


def exe() -> bytes:
    """The start of a Windows program: `MZ`, then binary."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 4

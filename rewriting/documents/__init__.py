"""Whole theses: a .docx opened safely, its body cut into pieces for the vendors, and the
rewritten text put back into the same document."""

from rewriting.documents.body import (
    Body,
    Piece,
    body_of,
    body_rewrite,
    counted_characters,
    paragraph_texts,
    pieces_of,
)
from rewriting.documents.files import DocumentRefused, document_bytes, document_opened

__all__ = [
    "Body",
    "DocumentRefused",
    "Piece",
    "body_of",
    "body_rewrite",
    "counted_characters",
    "document_bytes",
    "document_opened",
    "paragraph_texts",
    "pieces_of",
]

"""How long a text is and what rewriting it costs."""

from decimal import Decimal

import regex
from django.conf import settings

from points.amounts import points_truncate

MAX_TEXT_CHARACTERS = 3000
# An emoji with a skin tone is two code points, a family of four seven; a text over this is too
# long however few characters it shows.
MAX_TEXT_CODE_POINTS = 4 * MAX_TEXT_CHARACTERS
_CHARACTER = regex.compile(r"\X")


def text_length(text: str) -> int:
    """Characters as a reader counts them: an emoji with its skin tone, or a letter with its
    accent, is one, as are a Chinese character and a letter (JavaScript's length counts UTF-16
    units, Python's code points; neither is what the customer sees)."""
    return len(_CHARACTER.findall(text))


def task_cost(text: str) -> Decimal:
    """Characters × the price per 1000 characters ÷ 1000, truncated to three places."""
    return points_truncate(text_length(text) * settings.POINTS_COST_PER_1000_CHARS / 1000)


# The least a paragraph or a document costs, as the client shows it.
MINIMUM_COST = Decimal("0.01")


def paragraph_cost(text: str) -> Decimal:
    """A paragraph rewritten at once: priced as a task, and at least MINIMUM_COST."""
    return max(task_cost(text), MINIMUM_COST)


def document_cost(characters: int) -> Decimal:
    """A document's counted characters × the price per 1000 ÷ 1000, truncated to three places,
    and at least MINIMUM_COST: what the client estimates before it uploads."""
    rate = settings.POINTS_COST_PER_1000_CHARS
    return max(points_truncate(characters * rate / 1000), MINIMUM_COST)

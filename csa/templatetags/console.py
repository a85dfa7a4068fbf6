"""What the console's own templates ask for."""

from django import template

from csa.dashboard import console_dashboard

register = template.Library()


@register.simple_tag
def dashboard() -> dict:
    """The first page's figures (csa.dashboard), fresh within a minute."""
    return console_dashboard()

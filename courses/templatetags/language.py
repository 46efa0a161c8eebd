"""`{{ course|localized:"title" }}`: a bilingual content column in the page's language."""

from django import template

from courses import language

register = template.Library()


@register.filter
def localized(obj, name: str):
    return language.localized(obj, name)


@register.simple_tag
def query_lang() -> str:
    """The `?lang=` value that keeps a link in the page's language."""
    return "zh" if language.is_chinese() else "en"

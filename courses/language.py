"""The two languages of the service: which one a request is shown in, and bilingual content columns.

Interface text (templates, views, API errors) goes through gettext, with the
Chinese in locale/zh_Hans; content that authors write in both languages lives
in `<name>_zh` / `<name>_en` columns and is picked by `localized`. Both follow
the active language, which LocaleMiddleware takes from the browser and
`LanguageQueryMiddleware` from `?lang=`.
"""

from django.utils import translation

# What ?lang= accepts, as Django language codes (settings.LANGUAGES).
QUERY_LANGUAGES = {"en": "en", "zh": "zh-hans", "zh-hans": "zh-hans", "zh-cn": "zh-hans"}


def is_chinese(language: str | None = None) -> bool:
    """Whether `language` (the active one by default) is Chinese."""
    return (language or translation.get_language() or "en").lower().startswith("zh")


def localized(obj, name: str, *, language: str | None = None):
    """`obj.<name>_zh` or `obj.<name>_en`, by `language` (the active one by default).

    An empty Chinese column falls back to the English one, so a page never
    shows a blank where the author wrote only English.
    """
    if is_chinese(language):
        value = getattr(obj, f"{name}_zh")
        if value:
            return value
    return getattr(obj, f"{name}_en")


def in_both_languages(message: str, **params) -> tuple[str, str]:
    """`message` (an English msgid, marked with gettext_noop) in English and in Chinese, %-formatted with `params`.

    For texts that always travel in both languages at once (the API's
    "message" and "message_zh"). A lazy param (gettext_lazy) is translated
    into each language too.
    """
    texts = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            values = {name: str(value) for name, value in params.items()}
            text = translation.gettext(message)
            texts.append(text % values if params else text)
    return texts[0], texts[1]


class LanguageQueryMiddleware:
    """`?lang=en|zh` shows one page in that language, whatever the browser asks (after LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        requested = QUERY_LANGUAGES.get(request.GET.get("lang", "").strip().lower())
        if requested:
            translation.activate(requested)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

"""Which language a page is shown in: ?lang= first, then the browser's Accept-Language."""

from django.utils import translation

PAGE_LANGUAGES = {"en": "en", "zh": "zh", "zh-hans": "zh", "zh-cn": "zh"}


def page_language(request) -> str:
    requested = PAGE_LANGUAGES.get(request.GET.get("lang", "").strip().lower())
    if requested:
        return requested
    return "zh" if translation.get_language_from_request(request).startswith("zh") else "en"

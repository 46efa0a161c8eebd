"""Normalising typed answers so that a student is not marked wrong for the keyboard
they used: full-width characters, case, spacing and punctuation style."""

import re
import unicodedata

# NFKC already folds the full-width ASCII block (，：！（） and full-width letters
# and digits); these CJK punctuation marks have no compatibility mapping.
_CJK_PUNCTUATION = str.maketrans({
    "。": ".", "、": ",", "「": '"', "」": '"', "『": '"', "』": '"',
    "“": '"', "”": '"', "‘": "'", "’": "'", "《": '"', "》": '"',
    "【": "[", "】": "]", "〔": "(", "〕": ")", "—": "-", "–": "-", "·": " ",
})
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_SPACE_BESIDE_CJK = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")
_EDGE_PUNCTUATION = ".,;:!?\"'"


def normalise_text(text, *, fold_case=True):
    """NFKC, CJK punctuation folded, case-folded, whitespace collapsed.

    Spaces next to a Chinese character are dropped (Chinese is written without
    them, so "自 注意力" and "自注意力" are the same answer), and trailing or leading
    punctuation is ignored ("Transformer。" is "transformer").
    """
    text = unicodedata.normalize("NFKC", text).translate(_CJK_PUNCTUATION)
    # upper() first: casefold() alone leaves a few letters ("ı") unequal to
    # their own capital; the second NFKC recomposes what folding decomposed.
    if fold_case:
        text = unicodedata.normalize("NFKC", text.upper().casefold())
    text = " ".join(text.split())
    text = _SPACE_BESIDE_CJK.sub("", text)
    return text.strip(_EDGE_PUNCTUATION + " ")


_FRACTION = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)$")


def parse_number(text):
    """A student's typed number as a float, or None when it is not one.

    Accepts full-width digits, a decimal comma-free form ("0.88", "１４"), a
    percentage ("88%") and a simple fraction ("3/4", as n-gram counts are).
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
        cleaned = cleaned.replace("−", "-")  # U+2212, what some keyboards type
        scale = 1.0
        if cleaned.endswith("%"):
            cleaned, scale = cleaned[:-1], 0.01
        fraction = _FRACTION.match(cleaned)
        try:
            if fraction:
                denominator = float(fraction.group(2))
                if denominator == 0:
                    return None
                value = float(fraction.group(1)) / denominator * scale
            else:
                value = float(cleaned) * scale
        except ValueError:
            return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value

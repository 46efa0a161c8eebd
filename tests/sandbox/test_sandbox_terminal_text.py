"""Text a submission writes (tracebacks, exception names and messages, prints)
is shown to people, some of them in a terminal: it arrives with every terminal
control character shown as its escape, newlines and tabs kept."""

import numpy as np
import pytest

from grader.sandbox import Call, codec

RAW_CONTROLS = {chr(code) for code in codec.CONTROL_CODES}


@pytest.mark.parametrize(
    "text, shown",
    [
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # OSC: sets the terminal's title
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),  # clears the screen
        ("\x9b31m", "\\x9b31m"),  # C1 CSI, one character
        ("gra\u202edaed", "gra\\u202edaed"),  # bidi override: the rest reads backwards
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("FAIL\rPASS", "FAIL\\x0dPASS"),  # a lone CR would overwrite the line
        ("a\r\nb", "a\nb"),
        ("line\n\tindented", "line\n\tindented"),
        ("a\u2028b\x85c\x7f", "a\\u2028b\\x85c\\x7f"),
        ("中文 é", "中文 é"),
    ],
)
def test_clean_text_shows_terminal_controls_as_escapes(text, shown):
    assert codec.clean_text(text, 1000) == shown


def test_clean_text_stays_within_its_limit_however_many_escapes():
    cleaned = codec.clean_text("\x1b" * 1000, 100)
    assert len(cleaned) <= 101 and cleaned.endswith("…")
    assert not RAW_CONTROLS & set(cleaned)


ESCAPING = r'''
import numpy as np

print("\x1b]0;pwned\x07\x1b[2J\x9b31m printed \u202eevil\r\nnext\tline")

class Sneaky(Exception):
    pass

Sneaky.__name__ = "Sneaky\x1b[8m"

def softmax(x):
    raise Sneaky("\x1b]0;pwned\x07 message \x1b[2J \x9b \u202e reversed \u2066")

def weird(x):
    return type("Odd\x1b[31m\u202e", (), {})()
'''


def test_escapes_from_a_submission_arrive_neutralised(sandbox):
    x = np.zeros(3)
    calls = [Call(name="v", function="softmax", args=(x,)), Call(name="w", function="weird", args=(x,))]
    out = sandbox.run(ESCAPING, calls=calls, required=("softmax",))
    raised, odd = out.calls["v"], out.calls["w"]
    assert raised.kind == "raised" and odd.kind == "bad_return"
    texts = [out.stdout, raised.traceback, raised.exception_type, odd.detail]
    for text in texts:
        assert not RAW_CONTROLS & set(text), repr(text)
    assert "\\x1b]0;pwned\\x07" in raised.traceback and "\\u202e reversed" in raised.traceback
    assert raised.exception_type == "Sneaky\\x1b[8m"
    assert odd.detail == "an object of type Odd\\x1b[31m\\u202e"
    assert out.stdout.startswith("\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m printed \\u202eevil\nnext\tline")

    broken = sandbox.run('raise ValueError("\\x1b[2J\\x9b gone")\n', calls=[], required=())
    assert not RAW_CONTROLS & set(broken.load_error)
    assert "\\x1b[2J\\x9b gone" in broken.load_error
    sandbox.assert_honest_submission_works()

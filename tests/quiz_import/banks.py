"""Question banks as instructors bring them, for the import tests and the bench."""

import random

GIFT = """// chapter 2, in both languages
::scale:: [zh]注意力分数除以什么？[en]What are attention scores divided by? {
=sqrt(d_k) ~d_k ~2
####[zh]第 2.3 节：除以 sqrt(d_k)。[en]Section 2.3: by sqrt(d_k).}

::sqrt 8:: [zh]d_k = 64 时 sqrt(d_k) 是多少？[en]What is sqrt(d_k) for d_k = 64? {#8:0.001}

::softmax sums:: [zh]softmax 的输出之和为 1。[en]A softmax sums to 1. {T}
"""

# Line 5 holds an essay question, which cannot be scored: the whole file is refused.
BROKEN_GIFT = """::fine:: A question that is fine. {T}

// the next one is an essay

::essay:: Write about attention. {}

::also fine:: Another fine one. {F}
"""

MOODLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<question type="multichoice">
  <name><text>two right</text></name>
  <questiontext format="html"><text><![CDATA[<p>[zh]哪些是注意力的输入？[en]Which are inputs of attention?</p>]]></text></questiontext>
  <generalfeedback><text>Q, K and V.</text></generalfeedback>
  <defaultgrade>2</defaultgrade>
  <single>false</single>
  <answer fraction="50"><text>Q</text></answer>
  <answer fraction="50"><text>K</text></answer>
  <answer fraction="-100"><text>the loss</text></answer>
</question>
<question type="cloze">
  <name><text>gaps</text></name>
  <questiontext format="html"><text><![CDATA[The text uses {1:NUMERICAL:=8:0.5} heads and {1:MULTICHOICE:=ReLU~tanh} in its feed-forward layer.]]></text></questiontext>
</question>
</quiz>
"""

_WORDS = ("attention", "token", "softmax", "注意力", "向量", "模型", "layer", "bigram", "embedding")


def _words(rng, count):
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def every_type_gift(copies=1, seed=1):
    """Six questions per copy, one of each type GIFT holds, with escapes and explanations."""
    rng = random.Random(seed)
    blocks = []
    for n in range(copies):
        blocks += [
            f"::single {n}:: [zh]{_words(rng, 4)} \\{{x\\}}？[en]{_words(rng, 5)} \\= 1? "
            f"{{={_words(rng, 2)} ~{_words(rng, 3)} ~{_words(rng, 2)}x ####{_words(rng, 6)}}}",
            f"::multiple {n}:: {_words(rng, 6)} {{~%50%{_words(rng, 2)} ~%50%{_words(rng, 3)}y ~%-100%{_words(rng, 2)}z}}",
            f"::true false {n}:: {_words(rng, 5)} {{{'T' if n % 2 else 'FALSE'}}}",
            f"::numeric {n}:: {_words(rng, 5)} {{#={rng.uniform(-100, 100):.3f}:0.01 ={rng.uniform(-1, 1):.3f}:0.5}}",
            f"::short {n}:: {_words(rng, 4)} {{=answer{n} =回答{n}}}",
            f"::matching {n}:: {_words(rng, 3)} {{" + " ".join(f"=left{n}x{i} -> right{n}x{i}" for i in range(3)) + "}",
        ]
    return "\n\n".join(blocks) + "\n"


def coding_assignment(course, slug):
    """A coding exercise and its assignment in `course`, taking `slug`."""
    from courses.models import Assignment, Chapter
    from grader.models import Exercise

    chapter = Chapter.objects.create(course=course, number=9, title_en="c", title_zh="章")
    exercise = Exercise.objects.create(
        slug=slug, chapter=chapter, title_en=slug, title_zh=slug, reference_solution="def softmax(x):\n    return x\n",
        required_functions=["softmax"], check_suite="softmax",
    )  # fmt: skip
    return Assignment.objects.create(course=course, slug=slug, kind=Assignment.Kind.CODING, exercise=exercise)

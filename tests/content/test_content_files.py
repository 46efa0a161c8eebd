"""The sample course's files are complete and consistent, checked without a database or running any code."""

import ast
import tomllib

import pytest

from courses.services import SAMPLE_CONTENT_DIRECTORY, course_content_read
from grader.exercise_validation import MISTAKE_MARKER, defined_functions

EXERCISES_DIR = SAMPLE_CONTENT_DIRECTORY / "exercises"
EXERCISE_DIRS = sorted(path for path in EXERCISES_DIR.iterdir() if path.is_dir() and not path.name.startswith((".", "__")))
EXERCISE_FILES = ("exercise.toml", "statement.zh.md", "statement.en.md", "starter.py", "solution.py")

# The public contract (COURSE.md) and the functions each exercise's text promises.
EXPECTED_FUNCTIONS = {
    "softmax": ["softmax"],
    "attention": ["scaled_dot_product_attention"],
    "multi-head-attention": ["multi_head_attention"],
    "ngram": ["ngram_probability", "sentence_probability"],
    "cosine-similarity": ["cosine_similarity"],
    "causal-mask": ["causal_mask"],
    "layer-norm": ["layer_norm"],
    "positional-encoding": ["positional_encoding"],
    "feed-forward": ["feed_forward"],
    "perplexity": ["perplexity"],
    "greedy-decoding": ["greedy_next_token"],
}
# Parameter lists exactly as the contract states them.
EXPECTED_SIGNATURES = {
    "softmax": "softmax(x, axis=-1)",
    "scaled_dot_product_attention": "scaled_dot_product_attention(q, k, v, mask=None)",
    "multi_head_attention": "multi_head_attention(x, w_q, w_k, w_v, w_o, num_heads, mask=None)",
    "ngram_probability": "ngram_probability(corpus, context, word, n=2, k=0.0)",
    "sentence_probability": "sentence_probability(corpus, sentence, n=2, k=0.0)",
    "cosine_similarity": "cosine_similarity(a, b)",
    "causal_mask": "causal_mask(length)",
    "layer_norm": "layer_norm(x, gamma, beta, eps=1e-05)",
    "positional_encoding": "positional_encoding(length, d_model)",
    "feed_forward": "feed_forward(x, w1, b1, w2, b2)",
    "perplexity": "perplexity(probabilities)",
    "greedy_next_token": "greedy_next_token(logits)",
}
ALLOWED_IMPORTS = {"numpy", "math", "collections", "itertools", "functools"}


def _signatures(source: str) -> dict[str, str]:
    tree = ast.parse(source)
    return {
        node.name: f"{node.name}({ast.unparse(node.args)})" for node in tree.body if isinstance(node, ast.FunctionDef)
    }


def _imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    return modules


def test_the_sample_course_has_the_eleven_exercises():
    assert [path.name for path in EXERCISE_DIRS] == sorted(EXPECTED_FUNCTIONS)


def test_the_whole_directory_reads_without_a_problem():
    content = course_content_read(directory=SAMPLE_CONTENT_DIRECTORY)
    assert content.slug == "llm-foundations"
    assert [(c.number, c.title_zh) for c in content.chapters] == [(1, "大模型基础"), (2, "大模型与生成式AI")]
    assert {exercise.slug for exercise in content.exercises} == set(EXPECTED_FUNCTIONS)
    for exercise in content.exercises:
        assert exercise.values["check_suite"] == exercise.slug
        assert exercise.values["required_functions"] == EXPECTED_FUNCTIONS[exercise.slug]
        assert exercise.attempt_limit is None and "attempt_limit" not in exercise.values
        assert 1 <= len(exercise.mistakes) <= 5  # each is one sandbox run in check_exercises


@pytest.mark.parametrize("directory", EXERCISE_DIRS, ids=lambda path: path.name)
def test_each_exercise_directory_is_complete(directory):
    for name in EXERCISE_FILES:
        assert (directory / name).is_file(), f"{directory.name}/{name} is missing"
        assert (directory / name).read_text(encoding="utf-8").strip(), f"{directory.name}/{name} is empty"
    data = tomllib.loads((directory / "exercise.toml").read_text(encoding="utf-8"))
    assert data["slug"] == directory.name
    assert data["check_suite"] == directory.name
    assert data["check_params"] == {}


@pytest.mark.parametrize("directory", EXERCISE_DIRS, ids=lambda path: path.name)
@pytest.mark.parametrize("filename", ["starter.py", "solution.py"])
def test_starter_and_solution_define_the_functions_with_the_contract_signatures(directory, filename):
    source = (directory / filename).read_text(encoding="utf-8")
    signatures = _signatures(source)
    for name in EXPECTED_FUNCTIONS[directory.name]:
        assert signatures.get(name) == EXPECTED_SIGNATURES[name], f"{directory.name}/{filename}: {name}"
    assert _imported_modules(source) <= ALLOWED_IMPORTS


@pytest.mark.parametrize("directory", EXERCISE_DIRS, ids=lambda path: path.name)
def test_starter_raises_not_implemented(directory):
    source = (directory / "starter.py").read_text(encoding="utf-8")
    assert "raise NotImplementedError" in source


@pytest.mark.parametrize("directory", EXERCISE_DIRS, ids=lambda path: path.name)
def test_solution_is_plain_numpy_not_our_engine(directory):
    source = (directory / "solution.py").read_text(encoding="utf-8")
    assert "engine" not in _imported_modules(source)
    assert "NotImplementedError" not in source


@pytest.mark.parametrize("directory", EXERCISE_DIRS, ids=lambda path: path.name)
def test_every_mistake_declares_its_id_and_defines_the_functions(directory):
    paths = sorted((directory / "mistakes").glob("*.py"))
    assert 1 <= len(paths) <= 5
    for path in paths:
        source = path.read_text(encoding="utf-8")
        first_line = source.splitlines()[0]
        assert first_line.startswith(MISTAKE_MARKER), f"{directory.name}/mistakes/{path.name}"
        # The file is named after its mistake, so a listing reads as a checklist.
        assert first_line[len(MISTAKE_MARKER) :].strip() == path.stem
        assert set(EXPECTED_FUNCTIONS[directory.name]) <= defined_functions(source)
        assert _imported_modules(source) <= ALLOWED_IMPORTS


@pytest.mark.parametrize("directory", EXERCISE_DIRS, ids=lambda path: path.name)
def test_statements_state_the_signature_and_the_allowed_imports(directory):
    zh = (directory / "statement.zh.md").read_text(encoding="utf-8")
    en = (directory / "statement.en.md").read_text(encoding="utf-8")
    for name in EXPECTED_FUNCTIONS[directory.name]:
        assert f"def {name}(" in zh and f"def {name}(" in en
    assert "scipy" in zh and "scipy" in en
    assert "## 示例" in zh and "## Example" in en

"""engine is pure NumPy: no Django, nothing from the rest of the project."""

import ast
import subprocess
import sys
from pathlib import Path

import engine

ENGINE_DIR = Path(engine.__file__).resolve().parent
ALLOWED_IMPORTS = {"numpy", "engine", "collections", "functools", "operator", "math"}


def test_importing_engine_loads_no_django_or_project_code():
    code = (
        "import sys, engine, engine.mistakes\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'rest_framework', 'celery', 'config', 'grader', 'courses', 'nltk', 'hypothesis', 'pytest'})\n"
        "print(bad)\n"
        "assert 'django' not in sys.modules\n"
        "assert not bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ENGINE_DIR.parent,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_engine_sources_import_only_numpy_and_the_standard_library():
    for source in sorted(ENGINE_DIR.glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{source.name}: use absolute imports"
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= ALLOWED_IMPORTS, f"{source.name} imports {roots - ALLOWED_IMPORTS}"


def test_reference_table():
    assert engine.REFERENCE == {
        "softmax": {"softmax": engine.softmax},
        "attention": {"scaled_dot_product_attention": engine.scaled_dot_product_attention},
        "multi-head-attention": {"multi_head_attention": engine.multi_head_attention},
        "ngram": {"ngram_probability": engine.ngram_probability,
                  "sentence_probability": engine.sentence_probability},
        "cosine-similarity": {"cosine_similarity": engine.cosine_similarity},
        "causal-mask": {"causal_mask": engine.causal_mask},
        "layer-norm": {"layer_norm": engine.layer_norm},
        "positional-encoding": {"positional_encoding": engine.positional_encoding},
        "feed-forward": {"feed_forward": engine.feed_forward},
        "perplexity": {"perplexity": engine.perplexity},
        "greedy-decoding": {"greedy_next_token": engine.greedy_next_token},
    }
    for name in engine.__all__:
        assert hasattr(engine, name)


def test_contract_signatures():
    import inspect

    assert str(inspect.signature(engine.softmax)) == "(x, axis=-1)"
    assert str(inspect.signature(engine.scaled_dot_product_attention)) == "(q, k, v, mask=None)"
    assert str(inspect.signature(engine.multi_head_attention)) == "(x, w_q, w_k, w_v, w_o, num_heads, mask=None)"
    assert str(inspect.signature(engine.ngram_probability)) == "(corpus, context, word, n=2, k=0.0)"
    assert str(inspect.signature(engine.sentence_probability)) == "(corpus, sentence, n=2, k=0.0)"

"""Mutants of a reference solution: small wrong versions a good check suite must reject.

Hand-written on the standard library's `ast` rather than built on mutmut,
cosmic-ray or mutatest: those rewrite a project's files on disk and run the
project's own test runner (pytest) against each change, while here a mutant is
a string graded through our sandbox by our check suite, and each needs an id
that stays the same from one run to the next (an instructor's "equivalent"
mark refers to it). None of them exposes "give me the mutated sources" as a
library call.

Pure: no Django, no numpy, nothing run. A mutant is made on the syntax tree
and written back into the original text by replacing only the span of the
changed node, so its diff against the reference is one line, comments kept;
the text is parsed again and must give exactly the mutated tree (else it is
retried in parentheses, then dropped).
"""

import ast
import copy
import difflib
import hashlib
from dataclasses import dataclass

# Calls whose name, swapped for its opposite, is a classic slip.
FUNCTION_SWAPS = {
    "max": "min",
    "min": "max",
    "amax": "amin",
    "amin": "amax",
    "maximum": "minimum",
    "minimum": "maximum",
    "argmax": "argmin",
    "argmin": "argmax",
    "sum": "mean",
    "mean": "sum",
    "sin": "cos",
    "cos": "sin",
    "tril": "triu",
    "triu": "tril",
    "exp": "log",
    "log": "exp",
}
# Calls that, removed (the argument passed through), leave code that still runs.
FUNCTIONS_DROPPED = {"sqrt", "exp", "log", "abs", "tril", "triu"}

BINOP_SWAPS = {
    ast.Add: (ast.Sub, ast.Mult),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult, ast.FloorDiv),
    ast.FloorDiv: (ast.Div, ast.Mult),
    ast.Mod: (ast.FloorDiv,),
    ast.Pow: (ast.Mult,),
    ast.MatMult: (ast.Mult,),
}
# Binary operations whose right operand can be dropped (a term of a sum, a
# factor of a product, the power in `** 0.5`), and whose term can be doubled.
TERM_DROPPABLE = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
TERM_DOUBLABLE = (ast.Add, ast.Sub, ast.Mult)

COMPARE_SWAPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
AXIS_SWAPS = {-1: -2, -2: -1, 0: 1, 1: 0}
SHAPE_KEYWORDS = ("axis", "keepdims")


@dataclass(frozen=True)
class Mutant:
    id: str
    kind: str
    description: str
    line: int
    source: str
    diff: str


@dataclass(frozen=True)
class _Change:
    """One planned mutation: `target` (an index in traversal order) becomes `replacement`."""

    target: int
    kind: str
    replacement: ast.AST
    text: str  # what replaces the target's span in the source
    old_text: str
    new_text: str


def _number(node) -> int | float | None:
    """The value of a numeric literal, `-1` included; None for anything else."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value
    return None


def _literal(value) -> ast.expr:
    if value < 0 or (isinstance(value, float) and str(value).startswith("-")):
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value))
    return ast.Constant(value=value)


def _constant_variants(value) -> list:
    variants = []
    if value == 0:
        variants.append(1)
    if value == 1:
        variants.append(0)
    variants += [value + 1, value - 1]
    if value != 0:
        variants += [-value, value * 2]
    if isinstance(value, float):
        variants = [float(v) for v in variants]
    unique = []
    for variant in variants:
        if variant != value and variant not in unique:
            unique.append(variant)
    return unique


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


class _Source:
    """The reference text, addressed by the AST's (line, UTF-8 byte column) positions."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8"))

    def span(self, node) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def statement_span(self, node) -> tuple[int, int]:
        """The whole lines of a statement: removing it leaves `pass` at its indentation."""
        return self.starts[node.lineno - 1], self.starts[node.end_lineno]


def _preorder(tree):
    """Every node, parents before children, in field order."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _parent_slots(tree) -> dict[int, tuple]:
    """id(node) -> (parent, field, index or None): where to put a replacement."""
    slots = {}
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, ast.AST):
                slots[id(value)] = (parent, name, None)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        slots[id(item)] = (parent, name, index)
    return slots


def _dump_with(root, slot, replacement) -> str:
    """The dump of `root()` with one node swapped for `replacement`, the tree left as it was."""
    parent, name, index = slot
    items = getattr(parent, name) if index is not None else None
    original = items[index] if items is not None else getattr(parent, name)
    if items is not None:
        items[index] = replacement
    else:
        setattr(parent, name, replacement)
    try:
        return _tree_dump(root())
    finally:
        if items is not None:
            items[index] = original
        else:
            setattr(parent, name, original)


def _tree_dump(tree) -> str:
    return ast.dump(tree, annotate_fields=False)


class _Planner:
    """Walks the reference tree and lists every change each mutation operator can make."""

    def __init__(self, source: _Source, tree: ast.Module):
        self.source = source
        self.tree = tree
        self.changes: list[_Change] = []
        self.functions: dict[int, str] = {}  # target index -> enclosing function, for the id
        self.index_of: dict[int, int] = {}

    def plan(self) -> list[tuple[_Change, str]]:
        nodes = list(_preorder(self.tree))
        self.index_of = {id(node): index for index, node in enumerate(nodes)}
        skipped = self._skipped_nodes()
        function_of = {}
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for child in ast.walk(node):
                    function_of[id(child)] = node.name  # innermost wins: the preorder reaches outer defs first
        for node in nodes:
            if id(node) in skipped:
                continue
            before = len(self.changes)
            self._plan_node(node)
            for change in self.changes[before:]:
                self.functions[change.target] = function_of.get(id(node), "<module>")
        return [(change, self.functions[change.target]) for change in self.changes]

    def _skipped_nodes(self) -> set[int]:
        """Imports, docstrings, annotations, dtype= values and the axis literals the axis operator owns."""
        skipped = set()

        def skip(root):
            skipped.update(id(child) for child in ast.walk(root))

        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) or _is_docstring(node):
                skip(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for annotation in [node.returns] + [a.annotation for a in ast.walk(node.args) if isinstance(a, ast.arg)]:
                    if annotation is not None:
                        skip(annotation)
                for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                    skip(default)  # a default the checks never leave out is not this exercise's subject
            elif isinstance(node, ast.keyword) and node.arg == "dtype":
                skip(node.value)
            elif isinstance(node, ast.keyword) and node.arg == "axis" and _number(node.value) is not None:
                skip(node.value)
        return skipped

    def _add(self, node, kind, replacement, text=None):
        old_text = ast.unparse(node)
        new_text = ast.unparse(replacement)
        self.changes.append(
            _Change(
                target=self.index_of[id(node)],
                kind=kind,
                replacement=replacement,
                text=new_text if text is None else text,
                old_text=old_text,
                new_text=new_text,
            )
        )

    def _plan_node(self, node):
        value = _number(node)
        if value is not None:
            for variant in _constant_variants(value):
                self._add(node, "constant", _literal(variant))
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            self._add(node, "constant", ast.Constant(value=not node.value))
        elif isinstance(node, ast.BinOp):
            self._plan_binop(node)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            self._add(node, "unary operator removed", copy.deepcopy(node.operand), self.source.segment(node.operand))
        elif isinstance(node, ast.BoolOp):
            other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            self._add(node, "boolean operator", ast.BoolOp(op=other, values=copy.deepcopy(node.values)))
        elif isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                if type(op) in COMPARE_SWAPS:
                    ops = list(copy.deepcopy(node.ops))
                    ops[position] = COMPARE_SWAPS[type(op)]()
                    self._add(
                        node,
                        "comparison operator",
                        ast.Compare(left=copy.deepcopy(node.left), ops=ops, comparators=copy.deepcopy(node.comparators)),
                    )
        elif isinstance(node, ast.Call):
            self._plan_call(node)
        elif isinstance(node, ast.Slice):
            self._plan_slice(node)
        elif isinstance(node, ast.stmt):
            self._plan_statement(node)

    def _plan_binop(self, node):
        for other in BINOP_SWAPS.get(type(node.op), ()):
            replacement = ast.BinOp(left=copy.deepcopy(node.left), op=other(), right=copy.deepcopy(node.right))
            self._add(node, "arithmetic operator", replacement, self._binop_text(node, other))
        if isinstance(node.op, TERM_DROPPABLE):
            self._add(node, "term dropped", copy.deepcopy(node.left), self.source.segment(node.left))
        if isinstance(node.op, (ast.Add, ast.Mult)):
            self._add(node, "term dropped", copy.deepcopy(node.right), self.source.segment(node.right))
        if isinstance(node.op, TERM_DOUBLABLE):
            doubled = ast.BinOp(left=copy.deepcopy(node), op=type(node.op)(), right=copy.deepcopy(node.right))
            symbol = ast.unparse(ast.BinOp(left=ast.Name("a"), op=type(node.op)(), right=ast.Name("b")))[2:-2]
            right = self.source.segment(node.right)
            self._add(node, "term doubled", doubled, f"{self.source.segment(node)} {symbol} {right}")

    def _binop_text(self, node, other) -> str:
        """The operator swapped in place: the operands keep their exact text."""
        left_end = self.source.offset(node.left.end_lineno, node.left.end_col_offset)
        right_start = self.source.offset(node.right.lineno, node.right.col_offset)
        start, end = self.source.span(node)
        old_symbol = ast.unparse(ast.BinOp(left=ast.Name("a"), op=node.op, right=ast.Name("b")))[2:-2]
        new_symbol = ast.unparse(ast.BinOp(left=ast.Name("a"), op=other(), right=ast.Name("b")))[2:-2]
        gap = self.source.text[left_end:right_start]
        return (
            self.source.text[start:left_end]
            + gap.replace(old_symbol, new_symbol, 1)
            + self.source.text[right_start:end]
        )

    def _plan_call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in FUNCTION_SWAPS:
            swapped = copy.deepcopy(node)
            if isinstance(swapped.func, ast.Attribute):
                swapped.func.attr = FUNCTION_SWAPS[name]
            else:
                swapped.func.id = FUNCTION_SWAPS[name]
            self._add(node, "function swapped", swapped)
        if name in FUNCTIONS_DROPPED and len(node.args) == 1 and not node.keywords:
            argument = node.args[0]
            if not isinstance(argument, ast.Starred):
                self._add(node, "call removed", copy.deepcopy(argument), self.source.segment(argument))
        positional = node.args
        if not any(isinstance(argument, ast.Starred) for argument in positional):
            for position in range(len(positional) - 1):
                if _tree_dump(positional[position]) == _tree_dump(positional[position + 1]):
                    continue
                swapped = copy.deepcopy(node)
                swapped.args[position], swapped.args[position + 1] = swapped.args[position + 1], swapped.args[position]
                self._add(node, "arguments swapped", swapped)
        for position, keyword in enumerate(node.keywords):
            if keyword.arg not in SHAPE_KEYWORDS:
                continue
            removed = copy.deepcopy(node)
            del removed.keywords[position]
            self._add(node, f"{keyword.arg}= removed", removed)
            axis = _number(keyword.value) if keyword.arg == "axis" else None
            if axis is not None and isinstance(axis, int):
                changed = copy.deepcopy(node)
                changed.keywords[position].value = _literal(AXIS_SWAPS.get(axis, axis - 1))
                self._add(node, "axis changed", changed)

    def _plan_slice(self, node):
        for bound in ("lower", "upper", "step"):
            value = getattr(node, bound)
            if value is None:
                continue
            removed = copy.deepcopy(node)
            setattr(removed, bound, None)
            self._add(node, "slice bound", removed)
            if bound == "step":
                continue
            number = _number(value)
            for delta in (1, -1):
                shifted = copy.deepcopy(node)
                if number is not None:
                    setattr(shifted, bound, _literal(number + delta))
                else:
                    op = ast.Add() if delta > 0 else ast.Sub()
                    setattr(shifted, bound, ast.BinOp(left=copy.deepcopy(value), op=op, right=ast.Constant(value=1)))
                self._add(node, "slice bound", shifted)

    def _plan_statement(self, node):
        if isinstance(
            node,
            (ast.Return, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Pass),
        ) or _is_docstring(node):
            return
        start, end = self.source.statement_span(node)
        indent = self.source.lines[node.lineno - 1][: node.col_offset]
        self.changes.append(
            _Change(
                target=self.index_of[id(node)],
                kind="statement removed",
                replacement=ast.Pass(),
                text=f"{indent}pass\n",
                old_text=ast.unparse(node).splitlines()[0],
                new_text="pass",
            )
        )


def _apply(source: _Source, tree, slots, top: int, change: _Change, node) -> tuple[str, str] | None:
    """The mutant's text and the dump of its changed top-level statement, or None when no
    spelling of it parses back to the intended tree (or compiles).

    Only the top-level statement holding the change is compared: the text outside
    the changed span is the reference's, so the rest of the module is too.
    """
    expected = _dump_with(lambda: tree.body[top], slots[id(node)], change.replacement)
    if change.kind == "statement removed":
        start, end = source.statement_span(node)
        spellings = [change.text]
    else:
        start, end = source.span(node)
        spellings = [change.text, f"({change.text})"]
    for text in spellings:
        mutated = source.text[:start] + text + source.text[end:]
        try:
            parsed = ast.parse(mutated)
        except (SyntaxError, ValueError):
            continue
        if len(parsed.body) != len(tree.body) or _tree_dump(parsed.body[top]) != expected:
            continue
        try:
            compile(parsed, "<mutant>", "exec")  # what parsing alone lets through, e.g. a nonlocal with no binding
        except (SyntaxError, ValueError):
            return None
        return mutated, expected
    return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mutant_id(*, function: str, kind: str, old_text: str, new_text: str, occurrence: int) -> str:
    """Stable across runs and across edits elsewhere in the file: no line numbers in it."""
    key = "\x1f".join([function, kind, old_text, new_text, str(occurrence)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def generate_mutants(reference: str, *, filename: str = "solution.py") -> list[Mutant]:
    """Every distinct, compiling mutant of `reference`, in source order."""
    tree = ast.parse(reference)
    source = _Source(reference)
    planner = _Planner(source, tree)
    nodes = list(_preorder(tree))
    slots = _parent_slots(tree)
    top_of = {id(child): top for top, statement in enumerate(tree.body) for child in ast.walk(statement)}
    seen = {(top, _tree_dump(statement)) for top, statement in enumerate(tree.body)}  # the reference itself
    occurrences: dict[tuple, int] = {}
    mutants = []
    for change, function in planner.plan():
        node = nodes[change.target]
        top = top_of[id(node)]
        applied = _apply(source, tree, slots, top, change, node)
        if applied is None:
            continue
        mutated, dump = applied
        if (top, dump) in seen:
            continue
        seen.add((top, dump))
        key = (function, change.kind, change.old_text, change.new_text)
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        identifier = mutant_id(
            function=function, kind=change.kind, old_text=change.old_text, new_text=change.new_text, occurrence=occurrence
        )
        description = f"line {node.lineno}, {function}: {change.kind}: `{_short(change.old_text)}` → `{_short(change.new_text)}`"
        diff = "".join(
            difflib.unified_diff(
                reference.splitlines(keepends=True),
                mutated.splitlines(keepends=True),
                fromfile=filename,
                tofile=f"{filename} (mutant {identifier})",
                n=1,
            )
        )
        mutants.append(
            Mutant(id=identifier, kind=change.kind, description=description, line=node.lineno, source=mutated, diff=diff)
        )
    mutants.sort(key=lambda mutant: mutant.line)  # stable: source order within a line is kept
    return mutants

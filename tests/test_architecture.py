"""The package's shape: stages that only import downwards, no import cycles, Gradio only in the UI,
and small modules."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "modellens_core"
# lower stages never import higher ones; stages of one level never import each other
LEVEL = {"common": 0, "build": 1, "ranker": 2, "parser": 2, "evaluation": 3, "transfer": 3, "serving": 4,
         "ui": 5, "practitioner": 5}
MAX_LINES = 400
MAX_SERVING_CLASS_LINES = 200   # the class that answers a query


def _modules() -> dict[str, Path]:
    out = {}
    for p in PACKAGE.rglob("*.py"):
        parts = p.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def _imports(name: str, path: Path) -> set[str]:
    """Package modules imported by a module (relative imports resolved; at any depth of the file)."""
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("modellens_core"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("modellens_core"))
    return found


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LEVEL else None


def test_lower_stages_never_import_higher_ones():
    modules = _modules()
    bad = []
    for name, path in modules.items():
        src = _stage(name)
        for target in _imports(name, path):
            dst = _stage(target)
            if src and dst and dst != src and LEVEL[dst] >= LEVEL[src]:
                bad.append(f"{name} -> {target}")
    assert not bad, bad


def test_there_is_no_import_cycle():
    modules = _modules()
    graph = {n: {t for t in _imports(n, p) if t in modules and t != n} for n, p in modules.items()}
    state, cycle = {}, []

    def visit(n, path):
        state[n] = 1
        for m in graph[n]:
            if state.get(m) == 1:
                cycle.append(path[path.index(m):] + [m] if m in path else [n, m])
            elif m not in state:
                visit(m, path + [m])
        state[n] = 2

    for n in graph:
        if n not in state:
            visit(n, [n])
    # a package's __init__ importing its own modules is not a cycle of the data path
    cycle = [c for c in cycle if not all(x.startswith(c[0]) or c[0].startswith(x) for x in c)]
    assert not cycle, cycle


def test_only_the_ui_knows_gradio():
    for name, path in _modules().items():
        if _stage(name) == "ui":
            continue
        tree = ast.parse(path.read_text())
        names = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(n == "gradio" or n.startswith("gradio.") for n in names), name


def test_modules_are_small():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long
    tree = ast.parse((PACKAGE / "serving" / "recommender.py").read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Recommender")
    assert cls.end_lineno - cls.lineno + 1 <= MAX_SERVING_CLASS_LINES


def test_the_checks_see_a_violation(tmp_path):
    """The reader resolves relative imports, so a build module importing the ranker is caught."""
    fake = tmp_path / "fake.py"
    fake.write_text("from ..ranker.model import ModelLens\n\ndef f():\n    from ...modellens_core import ui\n")
    found = _imports("modellens_core.build.fake", fake)
    assert "modellens_core.ranker.model" in found
    assert any(LEVEL[_stage(t)] >= LEVEL["build"] and _stage(t) != "build" for t in found if _stage(t))

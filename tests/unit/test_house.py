"""The house rules, read from the source: sizes, and who may import whom (docs/DESIGN.md, "The
shape of the code")."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("automation", "pages", "mock_store")
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400


def modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports_of(path: Path) -> set[str]:
    """Every module the file imports, at its top or inside a function (a deferred import counts);
    not those for type checkers only (`if TYPE_CHECKING:`), which run nothing."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            node.body = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_over_the_limit() -> None:
    long = {module_name(p): n for p in modules() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_over_the_limit() -> None:
    long = {}
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{module_name(path)}.{node.name}"] = lines
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_every_module_says_what_it_is_for() -> None:
    silent = [module_name(p) for p in modules() if p.stat().st_size and not ast.get_docstring(ast.parse(p.read_text()))]
    assert not silent, f"modules without a docstring: {silent}"


def importers_of(prefix: str, within: str) -> list[str]:
    """The modules under `within` that import `prefix` or anything under it."""
    return [module_name(p) for p in modules() if module_name(p).startswith(within)
            and any(i == prefix or i.startswith(prefix + ".") for i in imports_of(p))]


@pytest.mark.parametrize(("low", "high"), [("pages", "automation"), ("mock_store", "automation"),
                                           ("mock_store", "pages")])
def test_lower_packages_never_import_higher_ones(low: str, high: str) -> None:
    assert importers_of(high, low) == []


# automation's rooms, highest first: a room may import the rooms below it and the ground, never above
ROOMS = ["automation.cli", "automation.runs", "automation.order", "automation.browser"]
GROUND = ["automation.settings", "automation.logs", "automation.files", "automation.errors", "automation.text",
          "automation.marketplace", "automation.words", "automation.language"]


@pytest.mark.parametrize("room", ROOMS)
def test_a_room_never_imports_the_rooms_above_it(room: str) -> None:
    above = ROOMS[:ROOMS.index(room)]
    assert [(module, higher) for higher in above for module in importers_of(higher, room)] == []


@pytest.mark.parametrize("ground", GROUND)
def test_the_ground_imports_no_room(ground: str) -> None:
    assert [(ground, room) for room in ROOMS if importers_of(room, ground)] == []


def test_every_automation_module_is_in_a_room_or_the_ground() -> None:
    loose = [m for m in map(module_name, modules()) if m.startswith("automation.") and m != "automation"
             and not any(m == r or m.startswith(r + ".") for r in ROOMS + GROUND)]
    assert loose == []


@pytest.mark.parametrize(("library", "allowed"), [("typer", ["automation.cli"]), ("rich", ["automation.cli"]),
                                                   ("playwright", ["automation.browser", "pages"])])
def test_a_library_is_imported_by_its_room_only(library: str, allowed: list[str]) -> None:
    users = [module_name(p) for p in modules() if any(i == library or i.startswith(library + ".")
                                                      for i in imports_of(p))]
    assert [m for m in users if not any(m == a or m.startswith(a + ".") for a in allowed)] == []

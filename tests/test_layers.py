"""The floors of DESIGN.md hold: `lint-imports` passes, and every module has a declared place.

The contracts live in pyproject.toml (`[tool.importlinter]`); ARCHITECTURE.md explains them. The
floors contract names apps; whether a module of an app is one of its screens (which sit on the
screens' floor, above every app) is decided by its name, and import-linter's wildcards replace
only whole module names, so the screen modules are listed by name. The second test keeps those
lists equal to the naming rule below, so a new `views_<area>.py` cannot slip past the floors.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent

# A module of an app is a screen when its name (the part after `interlude.<app>.`) is one of
# these, or it lives inside one of the packages.
SCREEN_NAME = re.compile(
    r"^(?:(?:views|api|urls|forms)(?:_[a-z0-9_]+)?|(?:[a-z0-9]+_)?panels|demo|context_processors)$"
)
SCREEN_PACKAGES = {"views", "templatetags", "management", "tests"}


def _config() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]


def _contract(contract_id: str) -> dict:
    return next(c for c in _config()["contracts"] if c["id"] == contract_id)


def _graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT))
    try:
        return grimp.build_graph(
            "interlude", "config", exclude_type_checking_imports=True, cache_dir=None
        )
    finally:
        sys.path.remove(str(ROOT))


def _screen_modules(graph: grimp.ImportGraph) -> set[str]:
    """`interlude.<app>.<name>` for every screen module or screen package, by the naming rule."""
    found = set()
    for module in graph.modules:
        parts = module.split(".")
        if parts[0] != "interlude" or len(parts) < 3:
            continue
        name = parts[2]
        if SCREEN_NAME.match(name) or name in SCREEN_PACKAGES:
            found.add(".".join(parts[:3]))
    return found


def test_import_linter_contracts_pass():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(result.stdout[-4000:])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_app_sits_on_a_floor():
    graph = _graph()
    apps = {m for m in graph.find_children("interlude") if graph.find_children(m)}
    floors = {
        name.strip().strip("()")
        for layer in _contract("floors")["layers"]
        for name in layer.split("|")
    }

    missing = sorted(apps - floors)
    print("apps:", sorted(apps))

    assert missing == [], (
        "These apps are on no floor: add each to the floors contract in pyproject.toml "
        f"(and to ARCHITECTURE.md's floors): {missing}"
    )


def test_every_screen_module_is_declared_in_the_contracts():
    graph = _graph()
    screens = _screen_modules(graph)
    protected = _contract("screens")["protected_modules"]
    allowed = _contract("screens")["allowed_importers"]
    floor_ignores = {
        line.split("->")[0].strip().removesuffix(".**")
        for line in _contract("floors")["ignore_imports"]
    }

    def matched(patterns: list[str] | set[str]) -> set[str]:
        return {m for p in patterns for m in graph.find_matching_modules(p)}

    # A screen that imports something of ours must have its imports lifted off the floors.
    importing = {
        s
        for s in screens
        if any(
            i.startswith("interlude.") or i.startswith("config.")
            for m in {s, *graph.find_descendants(s)}
            for i in graph.find_modules_directly_imported_by(m)
        )
    }
    names = sorted({s.split(".", 2)[2] for s in screens})
    print("screen names:", names)

    def lines(missing: set[str], fmt: str) -> str:
        return "\n".join(sorted({fmt.format(m.split(".", 2)[2]) for m in missing}))

    unprotected = screens - matched(protected)
    assert not unprotected, (
        'Add to protected_modules and allowed_importers of the "screens" contract in '
        "pyproject.toml:\n" + lines(unprotected, '    "interlude.*.{}",')
    )
    unallowed = screens - matched(allowed)
    assert not unallowed, 'Add to allowed_importers of the "screens" contract:\n' + lines(
        unallowed, '    "interlude.*.{}",'
    )
    unlifted = importing - matched(floor_ignores)
    assert not unlifted, "Add to ignore_imports of the floors contract:\n" + lines(
        unlifted, '    "interlude.*.{} -> interlude.**",'
    )
    # And nothing that is not a screen hides among them.
    not_screens = sorted(matched(protected) - screens)
    assert not_screens == [], f"Listed as screens but not named like one: {not_screens}"

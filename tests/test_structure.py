"""The shape of the code, kept by tests (import-linter in `make lint` keeps the imports):
one blueprint convention in every feature, app-wide hooks installed only from app.py, no
template name built from a string, no `sv` alias for a services module."""

from __future__ import annotations

import re
from pathlib import Path

import app as app_module

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "blueprints"
HOOKS = re.compile(
    r"\.(app_context_processor|after_app_request|before_app_request|teardown_app_request|"
    r"add_app_template_global|app_template_global|app_template_filter|add_app_template_filter|"
    r"app_errorhandler|record_once)\b|\bbp\.record\b"
)


def _sources():
    return sorted(FEATURES.rglob("*.py"))


def test_route_modules_are_listed_and_every_feature_has_its_blueprint_module():
    found = {
        (p.parent.name, p.stem)
        for p in _sources()
        if p.stem == "routes" or p.stem.endswith("_routes")
    }
    listed = {(f, m) for f, modules in app_module.ROUTE_MODULES.items() for m in modules}
    assert found == listed, "list every route module in app.ROUTE_MODULES"
    for feature in app_module.ROUTE_MODULES:
        assert (FEATURES / feature / "blueprint.py").is_file(), feature


def test_blueprints_are_defined_only_in_blueprint_modules():
    for path in _sources():
        if "Blueprint(" in path.read_text(encoding="utf-8"):
            assert path.name == "blueprint.py", f"{path}: define the blueprint in blueprint.py"


def test_app_wide_hooks_are_installed_from_app_py():
    for path in _sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not HOOKS.search(line), f"{path}:{number}: install app-wide hooks in app.py"


def test_template_names_are_never_built_from_strings():
    built = re.compile(r"render(_template)?\(\s*f[\"']")
    for path in _sources():
        assert not built.search(path.read_text(encoding="utf-8")), path


def test_no_sv_alias_for_services():
    for path in _sources():
        assert " as sv" not in path.read_text(encoding="utf-8"), path

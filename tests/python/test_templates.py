"""The module templates stay readable by a linter with their `dmb:if` markers in place: the Python
templates parse, the YAML templates load, every conditional block is closed, and every placeholder
is one that `dmb new` defines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from support import REPO_ROOT

TEMPLATES = REPO_ROOT / "templates"
SETS = ["base", "workspace-integration", "addons"]
MODULE_SETS = [path for folder in SETS for path in sorted((TEMPLATES / folder).rglob("*")) if path.is_file()]

#: The variables `dmb new` renders (src/module/variables.ts).
KNOWN = {
    "MODULE_NAME", "MODULE_NAME_UPPER", "MODULE_TITLE", "MODULE_SLUG", "MODULE_DESCRIPTION", "MODULE_DESCRIPTION_TOML", "PACKAGE_NAME",
    "GOVERNANCE", "OWNER", "DAGSTER_VERSION", "DB_TYPE", "DB_LABEL", "DB_SERVICE", "DB_IMAGE", "DB_HOST_PORT",
    "DB_PORT", "DB_CONTAINER_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_DATA_DIR", "NETWORK_NAME",
    "REQUIREMENTS_TXT", "PYPROJECT_DEPENDENCIES", "PIP_PACKAGES", "APT_PACKAGES", "SYSTEM_REQUIREMENTS",
}  # fmt: skip
FEATURES = {"db", "postgresql", "mysql", "schedules", "enterprise", "apt"}
PLACEHOLDER = re.compile(r"__([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)__")
CONDITION = re.compile(r"^\s*(?:#|//|<!--)\s*dmb:(if|end)\b\s*(!?[a-z0-9_]+)?\s*(?:-->)?\s*$")


def relative(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


def test_the_template_sets_exist() -> None:
    names = {relative(path) for path in MODULE_SETS}
    assert "base/src/__MODULE_NAME___dagster/resources.py.template" in names
    assert "addons/postgresql/src/__MODULE_NAME___dagster/database.py.template" in names
    assert "addons/mysql/src/__MODULE_NAME___dagster/database.py.template" in names
    assert "addons/schedules/src/__MODULE_NAME___dagster/schedules.py.template" in names
    assert "addons/enterprise/CODEOWNERS.template" in names


@pytest.mark.parametrize("path", [p for p in MODULE_SETS if p.name.endswith(".py.template")], ids=relative)
def test_python_templates_parse(path: Path) -> None:
    ast.parse(path.read_text(), filename=str(path))


@pytest.mark.parametrize(
    "path", [p for p in MODULE_SETS if p.name.endswith((".yml.template", ".yaml.template"))], ids=relative
)
def test_yaml_templates_load(path: Path) -> None:
    yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", MODULE_SETS, ids=relative)
def test_conditions_are_balanced_and_placeholders_known(path: Path) -> None:
    text = path.read_text()
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        match = CONDITION.match(line)
        if not match:
            continue
        if match.group(1) == "if":
            assert match.group(2) and match.group(2).lstrip("!") in FEATURES, f"{relative(path)}:{number}: {line}"
            depth += 1
        else:
            depth -= 1
            assert depth >= 0, f"{relative(path)}:{number}: dmb:end without dmb:if"
    assert depth == 0, f"{relative(path)}: a dmb:if block is not closed"
    unknown = {name for name in PLACEHOLDER.findall(relative(path) + "\n" + text) if name not in KNOWN}
    assert not unknown, f"{relative(path)} uses unknown placeholders {sorted(unknown)}"

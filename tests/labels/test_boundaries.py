"""The package's import boundary and public surface."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import labels

PACKAGE = Path(labels.__file__).resolve().parent
FORBIDDEN = ("fetch", "chatsift")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_labels_imports_only_classifier_types(path: Path) -> None:
    for module in _imported_modules(path):
        top = module.split(".")[0]
        assert top not in FORBIDDEN, f"{path.name} imports {module}"
        if top == "classifier":
            assert module == "classifier.types", f"{path.name} imports {module}"


def test_public_api_is_exported() -> None:
    for name in labels.__all__:
        assert getattr(labels, name) is not None
    assert {"LabelRecord", "LabelStore", "JsonlFeedWriter", "deliver", "make_record_id", "rfc3339"} <= set(
        labels.__all__
    )

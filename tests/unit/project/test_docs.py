"""The documentation points at things that exist: every repository path it names in backticks, every relative
link (and its #anchor), every ``python -m MODULE`` it tells a reader to run; the README stays short and shows
the test command CI runs."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_BYTES = 12_000
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_MODULE = re.compile(r"python -m ([A-Za-z_][\w.]*)")
_NOT_A_PATH = set(" <>…=$|{}(),;'\"")


def _top_level() -> set[str]:
    """The names at the repository's top level (folders and files)."""
    return {entry.name for entry in ROOT.iterdir()}


def repo_paths(text: str, top_level: set[str]) -> set[str]:
    """Backticked words that name a repository path: they start with a top-level folder or file of the
    repository (``data_sources/…``, ``.ci/run``, ``compose.yaml``); ``::test`` suffixes dropped."""
    found = set()
    for token in _CODE.findall(text):
        token = token.split("::", 1)[0].rstrip("/")
        if not token or _NOT_A_PATH & set(token):
            continue
        if token.split("/", 1)[0] in top_level:
            found.add(token)
    return found


def _exists(path: str) -> bool:
    """``path`` exists; ``*`` and placeholder words in capitals (``catalog/ko/AREA.toml``) match any name."""
    pattern = re.sub(r"\b[A-Z][A-Z_]+\b", "*", path)
    return any(ROOT.glob(pattern)) if "*" in pattern else (ROOT / path).exists()


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m[1]) for m in re.finditer(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_repository_path_a_document_names_exists(doc: Path) -> None:
    named = repo_paths(doc.read_text(encoding="utf-8"), _top_level())
    assert named, f"{doc.name} names no repository path (the parser found nothing)"
    missing = sorted(p for p in named if not _exists(p))
    assert not missing, f"{doc.relative_to(ROOT)} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(doc: Path) -> None:
    broken = []
    for target in _LINK.findall(_CODE.sub("", doc.read_text(encoding="utf-8"))):  # code spans are no links
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto: not the repository's
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.exists() or (anchor and path.suffix == ".md" and anchor not in _anchors(path)):
            broken.append(target)
    assert not broken, f"{doc.relative_to(ROOT)}: broken links {broken}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_a_document_tells_you_to_run_exists(doc: Path) -> None:
    modules = set(_MODULE.findall(doc.read_text(encoding="utf-8")))
    missing = sorted(m for m in modules if importlib.util.find_spec(m) is None)
    assert not missing, f"{doc.relative_to(ROOT)}: python -m {missing} cannot run"


def test_the_readme_is_short_and_shows_the_test_command_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= README_MAX_BYTES
    ci = [shlex.split(line) for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if line.startswith("python -m pytest")]
    assert ci, ".ci/run runs no python -m pytest line"
    shown = [shlex.split(line.split("#", 1)[0]) for line in readme.splitlines()
             if line.startswith("python -m pytest")]
    assert ci[0] in shown, f"README does not show CI's test command {' '.join(ci[0])}"
    first_screen = readme[: readme.index("## Pages")]
    assert "pip install -r requirements.lock" in first_screen and "streamlit run app.py" in first_screen


def test_the_path_parser_finds_paths_and_skips_other_code() -> None:
    """What the checks above rely on: a stale path is found, and code that is not a path is not."""
    text = ("`commentary/safe_text.md_escape` and `data_sources/store/atomic.py`, `catalog/*/store.toml`, "
            "`tests/test_x.py::test_y`, `python -m ui.serve`, `prices.parquet`, `data/<sha256>.parquet`, "
            "`../shared/data`, `DASHBOARD_DATA_DIR=/data`")
    found = repo_paths(text, {"commentary", "data_sources", "catalog", "tests", "data"})
    assert found == {"commentary/safe_text.md_escape", "data_sources/store/atomic.py", "catalog/*/store.toml",
                     "tests/test_x.py"}
    assert not _exists("commentary/safe_text.md_escape") and _exists("catalog/*/store.toml")
    assert _exists("catalog/ko/AREA.toml") and not _exists("catalog/ko/AREA.json")


def _layout() -> dict[str, set[str]]:
    """The README's Layout block: each top-level name listed, with the subfolders listed under it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    listed: dict[str, set[str]] = {}
    parent = ""
    for line in block.splitlines():
        if not line.strip():
            continue
        name = line.split()[0]
        if line.startswith("  ") and name.endswith("/"):
            listed[parent].add(name.rstrip("/"))
        elif not line.startswith(" "):
            parent = name.rstrip("/")
            listed[parent] = set()
    return listed


def test_the_readme_layout_lists_every_folder_and_nothing_that_is_gone() -> None:
    listed = _layout()
    for top, subs in listed.items():
        assert (ROOT / top).exists(), f"README Layout lists {top}, which does not exist"
        for sub in subs:
            assert (ROOT / top / sub).is_dir(), f"README Layout lists {top}/{sub}, which does not exist"
    for package in ("data_sources", "commentary"):
        folders = {d.name for d in (ROOT / package).iterdir() if d.is_dir() and not d.name.startswith(("_", "."))}
        assert folders <= listed[package], f"README Layout omits {sorted(folders - listed[package])} of {package}/"
    packages = {d.name for d in ROOT.iterdir() if (d / "__init__.py").exists()} | {"pages", "deploy", "docs"}
    assert packages <= set(listed), f"README Layout omits {sorted(packages - set(listed))}"

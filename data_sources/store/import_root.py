"""The one rule for every import from the server's folders that a browser can ask for (the Data page's CSV
snapshots, the AI news page's saved feed files).

Off by default: only with ``$DASHBOARD_IMPORT_ROOT`` set may a page import, and only from that folder and the
folders under it (symlinks and ``..`` resolved; a file whose real path leads outside is skipped). Pages offer
a list of the folders found under the root, never a free path. Anything else is refused with one
:class:`ImportRootError` (code ``import.refused``, no parameters): the same answer whether the folder exists,
lies outside, or is a file, so the refusal tells nothing about the server's other folders. The command line
(``python -m data_sources import …``) is not limited.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from data_sources.errors import InputError
from data_sources.settings import env_name, settings

IMPORT_ROOT_ENV = env_name("import_root")
#: How deep under the root folders are looked for (the root is depth 0).
MAX_DEPTH = 2


class ImportRootError(InputError):
    """A folder a page asked for is not one it may import from (or browser imports are off)."""

    def __init__(self) -> None:
        super().__init__("import.refused")


def import_root() -> Path | None:
    """The one folder (with its subfolders) pages may import from: ``$DASHBOARD_IMPORT_ROOT``; None (the
    default) means pages cannot import from the server's folders at all."""
    configured = settings().import_root
    return configured.expanduser().resolve() if configured else None


def folder_inside(root: Path | None, requested: str | Path) -> Path:
    """``requested`` (relative to ``root``) as a real folder inside ``root``; :class:`ImportRootError` for
    anything else — no root, outside it (``..``, an absolute path, ``~``, a symlink that leads out), missing,
    or not a folder — always the same error."""
    if root is None:
        raise ImportRootError()
    root = Path(root).resolve()
    try:
        folder = (root / str(requested)).resolve()  # an absolute path replaces the root: refused just below
        if not folder.is_relative_to(root) or not folder.is_dir():
            raise ImportRootError()
    except (OSError, ValueError, RuntimeError):  # a loop of symlinks, a NUL byte, a name too long
        raise ImportRootError() from None
    return folder


def files_inside(folder: Path, root: Path | None, suffixes: Iterable[str]) -> list[Path]:
    """The files of ``folder`` with one of ``suffixes`` (lower case, with the dot), in name order; with
    ``root``, only those whose real path lies inside it."""
    wanted = {s.lower() for s in suffixes}
    real_root = Path(root).resolve() if root is not None else None
    out = []
    try:
        candidates = sorted(Path(folder).iterdir())
    except OSError:
        return []
    for path in candidates:
        try:
            if path.suffix.lower() not in wanted or not path.is_file():
                continue
            if real_root is not None and not path.resolve().is_relative_to(real_root):
                continue
        except (OSError, RuntimeError):
            continue
        out.append(path)
    return out


def import_folders(root: Path, suffixes: Iterable[str], max_depth: int = MAX_DEPTH) -> list[str]:
    """Folders under ``root`` (itself included, as ".") holding files with one of ``suffixes`` whose real
    paths lie inside it, relative to ``root``, sorted."""
    root = Path(root).resolve()
    suffixes = tuple(suffixes)
    found = []
    for current, dirs, _files in os.walk(root, followlinks=False):
        here = Path(current)
        depth = len(here.relative_to(root).parts)
        if depth >= max_depth:
            dirs[:] = []
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for folder in [here, *(here / d for d in dirs if (here / d).is_symlink())]:
            try:
                inside = folder.resolve().is_relative_to(root) and folder.resolve().is_dir()
            except (OSError, RuntimeError):
                continue
            if inside and files_inside(folder, root, suffixes):
                found.append(str(folder.relative_to(root)) or ".")
    return sorted(set(found))

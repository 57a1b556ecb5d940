"""The Dockerfile and the runtime lock it installs: checked here because CI cannot run Docker (the Dockerfile is
parsed for its instructions; the lock is compared with what CI tested and with what the app imports)."""

from __future__ import annotations

import sys

import pytest

from tests.support.deploy_files import ROOT, dockerfile


def test_dockerfile_installs_the_project_and_runs_unprivileged():
    steps = dockerfile()
    words = [w for w, _ in steps]
    assert set(words) <= {"FROM", "ENV", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE", "HEALTHCHECK", "CMD"}
    assert words[0] == "FROM" and steps[0][1].startswith("python:3.11")  # pyproject: requires-python >=3.11
    for word, args in steps:
        if word == "COPY":
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in {"root", "0"}
    package_dirs = {"data_sources", "commentary", "ui", "catalog"}
    copied = {args.split()[0] for word, args in steps if word == "COPY"}
    assert package_dirs <= copied and "pages" in copied and "app.py" in copied
    env = " ".join(args for word, args in steps if word == "ENV")
    assert "DASHBOARD_DATA_DIR=/data" in env
    assert "MALLOC_ARENA_MAX=2" in env.split()  # set from the process's start (data_sources/runtime.py says why)


def test_the_image_installs_the_runtime_lock_then_the_project_without_dependencies():
    steps = dockerfile()
    pip = [(i, args) for i, (word, args) in enumerate(steps) if word == "RUN" and "pip" in args]
    assert [args for _, args in pip] == ["pip install -r requirements-runtime.lock", "pip install --no-deps ."]
    lock_copied = next(i for i, (word, args) in enumerate(steps) if word == "COPY" and "requirements-runtime.lock"
                       in args)
    sources_copied = [i for i, (word, args) in enumerate(steps) if word == "COPY" and args.split()[0] in
                      {"data_sources", "pyproject.toml"}]
    assert lock_copied < pip[0][0] < min(sources_copied) <= max(sources_copied) < pip[1][0]


def test_the_runtime_lock_is_what_ci_tested_without_the_test_tools():
    """requirements-runtime.lock: current (its generator agrees), each pin the version requirements.lock pins,
    and none of the test extra's own tools in it."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from deploy import runtime_lock

    assert runtime_lock.main(["--check"]) == 0, "requirements-runtime.lock is out of date"
    runtime, tested = _pinned("requirements-runtime.lock"), _pinned()
    assert runtime and all(tested.get(name) == version for name, version in runtime.items())
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    test_tools = {canonicalize_name(Requirement(text).name) for text in extras["test"]}
    assert test_tools & set(tested) and not {"pytest", "playwright", "ruff", "moto"} & set(runtime)
    assert len(runtime) < len(tested)


def test_every_library_the_app_imports_is_in_the_runtime_lock():
    """An import contract: each third-party module the runtime packages and the pages import (read with ``ast``)
    belongs to a distribution the image installs; a test tool imported at runtime would fail here."""
    import ast
    from importlib.metadata import packages_distributions

    from packaging.utils import canonicalize_name

    own = {"data_sources", "commentary", "ui", "catalog", "pages", "app", "tests", "benchmarks", "deploy"}
    providers = packages_distributions()
    runtime = set(_pinned("requirements-runtime.lock"))
    files = [ROOT / "app.py", *[f for d in ("data_sources", "commentary", "ui", "catalog", "pages")
                                for f in (ROOT / d).rglob("*.py")]]
    missing = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in own or top == "__future__":
                    continue
                dists = {canonicalize_name(d) for d in providers.get(top, [])}
                if not dists & runtime:
                    missing.setdefault(top, []).append(str(path.relative_to(ROOT)))
    assert not missing, f"imported at runtime, not installed by the image: {missing}"


def _pinned(lock: str = "requirements.lock") -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "==" in line and not line.startswith("-"), f"requirements.lock: not a pin: {line}"
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.split(";")[0].strip()
    return pins


def test_the_runtime_lock_pins_every_package_the_project_needs_so_no_deps_is_safe():
    """Every runtime requirement of pyproject.toml, with its extras, and everything those need (read from the
    installed packages' own metadata), is pinned in requirements-runtime.lock (the image's):
    `pip install --no-deps .` misses nothing."""
    import tomllib
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = _pinned("requirements-runtime.lock")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [(Requirement(text), "") for text in project["dependencies"]]
    seen: set[tuple[str, str]] = set()
    while todo:
        req, parent_extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": parent_extra}):
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} (needed by the project) is not pinned in requirements-runtime.lock"
        for extra in {"", *req.extras}:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            try:
                todo += [(Requirement(text), extra) for text in requires(req.name) or []]
            except PackageNotFoundError:
                pytest.fail(f"{req.name} is pinned but not installed here: install requirements.lock")
    assert {"psycopg-binary", "botocore", "pyarrow", "streamlit"} <= {n for n, _ in seen}

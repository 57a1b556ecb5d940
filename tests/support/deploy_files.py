"""The deployment files as the tests read them: compose.yaml's services and the Dockerfile's instructions."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def services() -> dict:
    """compose.yaml's services by name."""
    return COMPOSE["services"]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = text.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def dockerfile_cmd() -> list[str]:
    """The image's CMD (exec form)."""
    [cmd] = [json.loads(args) for word, args in dockerfile() if word == "CMD"]
    return cmd

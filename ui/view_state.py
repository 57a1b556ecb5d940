"""One page's view — a frozen dataclass — bound to its widgets and to the address (``st.query_params``).

A page declares its view once::

    BINDING = ViewBinding("cmp_", CompareView, parse=parse_query, to_query=to_query)
    BINDING.open(default)                 # before any widget: seeds the widgets' state
    st.radio(..., key=BINDING.key("ccy"))  # widgets keyed by the view's field names
    view = BINDING.commit()               # after the widgets: the view, written to the address
    problems = BINDING.problems()         # what was wrong with the address, until the reader changes the view

and reads top to bottom as layout. What the binding takes care of:

- **The address wins when it changed**: a pasted link, a bookmark or the browser's back button seeds every
  widget from the address (bad values → the default, with the problems returned once to show).
- **A widget's state survives** while the reader is on another page or its panel is folded (Streamlit drops the
  state of widgets it did not draw; the binding keeps the last view and restores it).
- **The address follows the widgets** after every run, in one update with only the changed keys; a key the
  binding does not own (``foreign``: another part of the page's, e.g. a shared notebook's ``notes=``) is left
  alone and never counts as a change of the address.

``to_widgets``/``from_widgets`` convert where a widget holds something other than the field (a list for a tuple,
a text for a date); by default a field's widget holds the field's value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

V = TypeVar("V")
Query = Mapping[str, str | list[str]]


_PAGE = "_view_state_page"
_ENTERED = "_view_state_entered"


def note_page() -> None:
    """Record which page this run draws (call on every run of every page, before any binding opens): a binding
    opened on the first run after another page restores its saved view over whatever the widgets' state holds."""
    ctx = get_script_run_ctx()
    page = ctx.page_script_hash if ctx is not None else ""
    state = st.session_state
    state[_ENTERED] = state.get(_PAGE) != page
    state[_PAGE] = page


def _identity_widgets(view: Any) -> dict[str, Any]:
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}


class ViewBinding(Generic[V]):
    """A page's view kept in step with its widgets (session state) and the address."""

    def __init__(self, prefix: str, view_type: type[V], *, parse: Callable[[Query, V], tuple[V, list[Any]]],
                 to_query: Callable[[V], Mapping[str, str | list[str]]],
                 to_widgets: Callable[[V], dict[str, Any]] = _identity_widgets,
                 from_widgets: Callable[[Mapping[str, Any]], V] | None = None,
                 foreign: tuple[str, ...] = ()) -> None:
        self.prefix = prefix
        self.view_type = view_type
        self.parse = parse
        self.to_query = to_query
        self.to_widgets = to_widgets
        self.from_widgets = from_widgets or (lambda values: view_type(**values))
        self.foreign = frozenset(("lang", *foreign))  # address keys other parts of the app own
        self._saved = prefix + "__view"  # the last view's widget values (not a widget key: survives page changes)
        self._written = prefix + "__url"  # the address as this binding last wrote it
        self._problems = prefix + "__problems"  # the address's problems and the view they came with

    def key(self, name: str) -> str:
        """The session-state key of the widget for ``name``."""
        return self.prefix + name

    def _names(self, view: V) -> list[str]:
        return list(self.to_widgets(view))

    def _address(self) -> dict[str, list[str]]:
        return {k: st.query_params.get_all(k) for k in st.query_params if k not in self.foreign}

    def open(self, default: V) -> list[Any]:
        """Seed the widgets' state before any is drawn; returns the address's problems when it was (re)read."""
        state = st.session_state
        address = self._address()
        written = state.get(self._written)
        saved: dict[str, Any] | None = state.get(self._saved)
        if saved is None or (address and address != written):
            view, problems = self.parse(address, default)
            for name, value in self.to_widgets(view).items():
                state[self.key(name)] = value
            state[self._saved] = self.to_widgets(view)
            state[self._problems] = (list(problems), self.to_widgets(view))
            return problems
        entered = state.get(_ENTERED, False)  # back from another page: Streamlit may have reset hidden widgets
        for name in self._names(default):
            key = self.key(name)
            state[key] = state[key] if key in state and not entered else saved[name]  # kept while hidden
        return []

    def problems(self) -> list[Any]:
        """The address's problems while the view is still the one the address gave (after :meth:`commit`): a run
        that changes nothing (a panel opened) keeps them shown; the reader's first change of the view ends them."""
        state = st.session_state
        problems, widgets = state.get(self._problems) or ([], None)
        if problems and state.get(self._saved) == widgets:
            return problems
        state.pop(self._problems, None)
        return []

    def view(self) -> V:
        """The view the widgets hold now."""
        state = st.session_state
        saved = state.get(self._saved) or {}
        return self.from_widgets({name: state.get(self.key(name), saved.get(name)) for name in saved})

    def commit(self, view: V | None = None) -> V:
        """Remember the view for this session and write it to the address (only the keys that changed)."""
        view = self.view() if view is None else view
        st.session_state[self._saved] = self.to_widgets(view)
        wanted = {k: v if isinstance(v, list) else [v] for k, v in self.to_query(view).items()}
        current = self._address()
        changed = {k: v for k, v in wanted.items() if current.get(k) != v}
        if changed:
            st.query_params.update(changed)
        for key in current:
            if key not in wanted:
                del st.query_params[key]
        st.session_state[self._written] = wanted
        return view

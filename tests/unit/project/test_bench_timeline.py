"""benchmarks.timeline: finding the message that carries a page's first chart among the recorded bytes."""

from __future__ import annotations

import base64

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.timeline import chart_message_ms


def _recorded(at: float, fill) -> list:
    msg = ForwardMsg()
    fill(msg)
    return [at, base64.b64encode(msg.SerializeToString()).decode()]


def test_the_first_chart_message_and_the_elements_before_it() -> None:
    messages = [
        _recorded(10.0, lambda m: m.new_session.SetInParent()),
        _recorded(12.0, lambda m: setattr(m.delta.new_element.markdown, "body", "# title")),
        [13.0, ""],  # a text frame: not a ForwardMsg
        _recorded(15.0, lambda m: m.delta.add_block.SetInParent()),
        _recorded(20.0, lambda m: setattr(m.delta.new_element.markdown, "body", "caption")),
        _recorded(31.5, lambda m: setattr(m.delta.new_element.plotly_chart, "spec", "{}")),
        _recorded(40.0, lambda m: setattr(m.delta.new_element.plotly_chart, "spec", "{}")),
    ]
    assert chart_message_ms(messages) == (31.5, 2)


def test_a_page_without_a_chart_has_no_chart_message() -> None:
    messages = [_recorded(5.0, lambda m: setattr(m.delta.new_element.markdown, "body", "text"))]
    assert chart_message_ms(messages) == (None, 1)

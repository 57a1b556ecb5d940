"""Streamlit's own words on two widgets, in the page's language: the file uploader's "Upload" button and its
"1MB per file • MD" line, and a date field's empty "yyyy/mm/dd" slots. Streamlit draws these in English whatever
the page's language; a style sheet hides them and draws the catalog's words in their place. An empty date slot
keeps its English text at size zero, so that it stays a field a screen reader and a click can reach."""

from __future__ import annotations

import json

import streamlit as st

from ui.i18n import t


def _css_string(words: str) -> str:
    """``words`` as a quoted CSS string (quotes, backslashes and line breaks escaped; no markup can close the
    style element)."""
    return json.dumps(words.replace("\n", " "), ensure_ascii=False).replace("<", "\\3C ").replace(">", "\\3E ")


def localise_widgets() -> None:
    """Put the page language's words on the uploader's button and the empty date slots (app.py, once a run)."""
    button, year, month, day = (_css_string(t(k)) for k in (
        "chrome.widget.upload", "chrome.widget.year", "chrome.widget.month", "chrome.widget.day"))
    slot = "[data-testid=stDateInputField] [data-placeholder=true]"
    st.html(f"""<style>
[data-testid=stFileUploaderDropzoneInstructions],
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer] p {{ display: none; }}
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer]::after {{ content: {button}; }}
{slot} {{ font-size: 0; }}
{slot}::after {{ font-size: 0.875rem; }}
{slot}[data-type=year]::after {{ content: {year}; }}
{slot}[data-type=month]::after {{ content: {month}; }}
{slot}[data-type=day]::after {{ content: {day}; }}
</style>""")

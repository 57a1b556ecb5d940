"""A tiny Streamlit page that reads the shared store through the public API (used by the replica tests
and benchmarks/replicas.py until the real app is wired to it). Everything is shown as plain text."""

import os

import streamlit as st

from data_sources.shared.object_store import current_prices


@st.fragment(run_every=float(os.environ.get("REPLICA_RERUN_SECONDS", "1")))
def as_of() -> None:
    shared = current_prices()
    info = shared.provenance
    st.text(f"version {info.get('version', 0)} as of {info.get('as_of') or '-'} rows {len(shared.prices)}")
    if shared.snapshot.warning:
        st.text(f"warning: {shared.snapshot.warning}")
    latest = shared.prices.groupby("symbol")["close"].last() if len(shared.prices) else None
    if latest is not None:
        st.text(f"NVDA close {latest.get('NVDA', float('nan')):.2f}")


as_of()


# Which replica served this session, and an upload through whatever proxy is in front (tests/e2e/test_shared_nginx.py).
REPLICA = os.environ.get("REPLICA_NAME", "-")
st.text(f"replica {REPLICA}")
upload = st.file_uploader("upload a file", key="replica_upload")
if upload is not None:
    import hashlib

    body = upload.getvalue()
    st.text(f"uploaded {len(body)} bytes sha256 {hashlib.sha256(body).hexdigest()[:16]} on replica {REPLICA}")

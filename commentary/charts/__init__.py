"""Pure Plotly figure builders (each returns a ``go.Figure``)."""

import json, time
from pathlib import Path
from tests.conftest import app_page

def test_smoke(seeded_store: Path) -> None:
    at = app_page("compare", lang="en")
    print("exc", at.exception)
    print([w.value for w in at.warning])
    print([e.value for e in at.error])
    print([c.value for c in at.caption])
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    print([t["name"] for t in spec["data"]])
    print(dict(at.query_params))
    print(at.dataframe[0].value)
    print(at.dataframe[1].value.head(40).to_string())
    ts=[]
    for _ in range(8):
        t=time.perf_counter(); at.run(); ts.append(time.perf_counter()-t)
    print(sorted(ts))

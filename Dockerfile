# One image for the app replicas and the refresher (compose.yaml picks the command).
FROM python:3.11.13-slim-bookworm

# MALLOC_ARENA_MAX=2: at most two glibc malloc arenas, not one per script thread (docs/performance.md: with Arrow
# on the system allocator, fewer arenas keep a replica's memory lower); it only works from the process's start.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DASHBOARD_DATA_DIR=/data STREAMLIT_BROWSER_GATHER_USAGE_STATS=false MALLOC_ARENA_MAX=2

WORKDIR /app
# What CI tested, runtime part only: requirements-runtime.lock is requirements.lock without the test tools
# (python -m deploy.runtime_lock derives it; same versions). Its own layer, so a code change does not reinstall
# the packages; then the project itself, without resolving anything again.
COPY requirements-runtime.lock ./
RUN pip install -r requirements-runtime.lock
COPY pyproject.toml README.md ./
COPY data_sources ./data_sources
COPY commentary ./commentary
COPY ui ./ui
COPY catalog ./catalog
COPY pages ./pages
COPY .streamlit ./.streamlit
COPY app.py ./
RUN pip install --no-deps .
RUN useradd --create-home --uid 10001 dashboard && mkdir -p /data && chown dashboard /data
USER dashboard
EXPOSE 8501
# The app replica's check: ui.serve answers /_stcore/health with 503 "warming up" until its caches are warm (at most
# DASHBOARD_WARMUP_SECONDS, 300 s by default), then 200; urlopen raises on 503, so the check fails until then.
# The refresher's own check (the age of its last publish) is in compose.yaml.
HEALTHCHECK --interval=10s --timeout=5s --start-period=6m CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
# The app replica: streamlit run app.py, healthy once warm. The refresher overrides it (compose.yaml).
CMD ["python", "-m", "ui.serve", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]

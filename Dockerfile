# One image for the app replicas and the refresher (compose.yaml picks the command).
FROM python:3.11.13-slim-bookworm

# MALLOC_ARENA_MAX=2: at most two glibc malloc arenas, not one per script thread (README, Performance: with Arrow on
# the system allocator, 376-382 MB -> 304 MB after every page is visited); it only works from the process's start.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DASHBOARD_DATA_DIR=/data STREAMLIT_BROWSER_GATHER_USAGE_STATS=false MALLOC_ARENA_MAX=2

WORKDIR /app
# Exactly what CI tested: every package at the version in requirements.lock (its own layer, so a code change does
# not reinstall them), then the project itself without resolving anything again.
COPY requirements.lock ./
RUN pip install -r requirements.lock
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
# The app replica's check; the refresher's own (the age of its last publish) is in compose.yaml.
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
# The app replica. The refresher overrides it: python -m data_sources refresh --every 1h
CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]

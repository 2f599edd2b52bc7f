# One image for every role (web, poller, simulator): the command picks the role, e.g.
#   docker run IMAGE wallboard poller
# Build:  docker build --build-arg WALLBOARD_BUILD="0.1.0+$(git rev-parse --short HEAD)" -t wallboard .

# -- build: wheels for the package and its dependencies; no compiler or source in the result
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY wallboard ./wallboard
COPY templates ./templates
COPY static ./static
RUN pip wheel --wheel-dir /wheels .

# -- run
FROM python:3.11-slim-bookworm
# Pages reload themselves when this changes, so each deploy should set it (a tag or commit).
ARG WALLBOARD_BUILD=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WALLBOARD_BUILD=${WALLBOARD_BUILD} \
    WALLBOARD_LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links /wheels wallboard \
    && rm -rf /wheels \
    && groupadd --system --gid 10001 wallboard \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin wallboard
# Numeric, so that orchestrators can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000
# Liveness of the default role (web). docker-compose.yml sets a check per role: /readyz for
# the web (never ?strict=1: stale data must still reach the TVs), a recent report for the poller.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
STOPSIGNAL SIGTERM
CMD ["wallboard", "web", "--host", "0.0.0.0", "--port", "8000"]

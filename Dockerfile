# One image for every role (poller, web, simulator): the command picks the role.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY wallboard ./wallboard
COPY templates ./templates
COPY static ./static
RUN pip install . && useradd --system --uid 10001 wallboard
USER wallboard
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=3)" || exit 1
CMD ["wallboard", "web", "--host", "0.0.0.0", "--port", "8000"]

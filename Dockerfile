# Build: dependencies into a virtualenv. Run: that virtualenv, the source, a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml ./
COPY api ./api
COPY clients/python ./clients/python
# Install with the dependencies, then drop the package itself: the runtime imports it from /app.
RUN /opt/venv/bin/pip install --no-cache-dir . && /opt/venv/bin/pip uninstall --yes involve

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app:/app/clients/python PATH=/opt/venv/bin:$PATH \
    INVOLVE_ENV=production
RUN useradd --system --uid 10001 --create-home --home-dir /home/involve involve
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations
COPY api ./api
COPY clients/python ./clients/python
USER involve
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"
# Migrations first (safe to repeat), then the server. Workers: about one per core.
CMD ["sh", "-c", "python -m api.cli migrate && exec python -m api.cli serve --host 0.0.0.0 --port 8000 --workers ${INVOLVE_WORKERS:-2}"]

# Renkei container image: `docker build -t renkei .`
# Two stages: the build stage installs Renkei and its runtime dependencies into a virtualenv;
# the runtime stage copies only that virtualenv onto a slim Python, and runs as a non-root user.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/renkei
WORKDIR /src
COPY pyproject.toml README.md ./
COPY broker ./broker
COPY connectors ./connectors
COPY catalog ./catalog
COPY auth ./auth
COPY console ./console
COPY migrations ./migrations
# runtime dependencies only (no [dev] extra)
RUN /opt/renkei/bin/pip install --no-cache-dir .

FROM python:3.11-slim
LABEL org.opencontainers.image.title="Renkei" \
      org.opencontainers.image.description="NGSI-LD data-linkage base for a prefecture and its municipalities" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/renkei/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    RENKEI_HOST=0.0.0.0 \
    RENKEI_PORT=1026 \
    RENKEI_LOG_FORMAT=json \
    RENKEI_DATA_DIR=/var/lib/renkei
RUN groupadd --system --gid 10001 renkei \
    && useradd --system --uid 10001 --gid renkei --home-dir /var/lib/renkei --create-home renkei
COPY --from=build /opt/renkei /opt/renkei
USER 10001:10001
WORKDIR /var/lib/renkei
EXPOSE 1026
# python, not curl: the slim image has no curl, and `renkei probe` reads RENKEI_PORT
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["renkei", "probe"]
STOPSIGNAL SIGTERM
CMD ["renkei", "serve"]

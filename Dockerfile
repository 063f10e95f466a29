# DR-Kube: `dr-kube serve` for the cluster (charts/dr-kube), or any CLI command.
# No secret is baked in: tokens arrive as environment variables from a Secret.
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# git: DR-Kube clones the GitOps repository and commits a fix on a fresh base;
# openssh-client: for an ssh origin with a deploy key (gitops.auth=ssh).
RUN apt-get update \
    && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 drkube \
    && useradd --uid 10001 --gid drkube --home-dir /home/drkube --create-home --shell /usr/sbin/nologin drkube \
    && mkdir -p /data \
    && chown drkube:drkube /data

WORKDIR /src
COPY pyproject.toml README.md ./
COPY agent ./agent
RUN pip install . && rm -rf /src

USER 10001:10001
WORKDIR /home/drkube
ENV HOME=/home/drkube \
    DRKUBE_DB=/data/dr-kube.db
EXPOSE 8080
ENTRYPOINT ["dr-kube"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]

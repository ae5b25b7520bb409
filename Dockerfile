# prpilot as a container action (`uses: docker://...`) or for self-hosted workers:
# the same entry point as the composite action, both steps in one process (`run`).
FROM python:3.11-slim

RUN apt-get update \
 # bubblewrap: the sandbox of allowed commands (README "Security"); without it they are refused.
 && apt-get install -y --no-install-recommends git ca-certificates bubblewrap \
 && rm -rf /var/lib/apt/lists/* \
 # GitHub mounts the checkout at /github/workspace owned by another uid: trust it for git.
 && git config --system --add safe.directory /github/workspace \
 && git config --system --add safe.directory '*'

WORKDIR /app
COPY pyproject.toml README.md LICENSE entrypoint.py ./
COPY requirements ./requirements
COPY src ./src
# Exactly the hash-locked set (scripts/lock.py), then prpilot itself without resolving anything again.
RUN pip install --no-cache-dir --require-hashes -r requirements/image.txt \
 && pip install --no-cache-dir --no-deps . \
 && rm -rf /root/.cache

# Exec form: /bin/sh (dash) would drop INPUT_GITHUB-TOKEN and every other input with a dash.
ENTRYPOINT ["python", "/app/entrypoint.py", "run"]

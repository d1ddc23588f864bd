# The smoke suite's image: the Playwright smoke tests (tests/smoke) and Debian's Chromium, nothing of
# the shop. The release's pre-promotion analysis runs it as a Job against the preview host:
#   az acr build --registry <acr> --image az-shop-smoke:<tag> --file workflows/container/smoke.Dockerfile .
# Never a downloaded browser: Chromium comes from Debian, @playwright/test at the lockfile's version.
FROM node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-liberation \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /smoke
COPY package-lock.json /tmp/package-lock.json
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
RUN version=$(node -p "require('/tmp/package-lock.json').packages['node_modules/@playwright/test'].version") \
  && npm install --no-save --no-package-lock --no-audit --no-fund "@playwright/test@$version" \
  && npm cache clean --force && rm /tmp/package-lock.json
COPY playwright.smoke.config.ts ./
COPY tests/smoke tests/smoke
# Read-only root file system: everything written goes to /tmp (an emptyDir in the Job).
ENV HOME=/tmp CI=1 SMOKE_OUTPUT_DIR=/tmp/smoke-results CHROMIUM_PATH=/usr/bin/chromium
USER node
CMD ["node", "node_modules/@playwright/test/cli.js", "test", "-c", "playwright.smoke.config.ts"]

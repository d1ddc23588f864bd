import { HYDRATION_DATA_ID } from '../ui/hydration';
import type { PageAssets } from './assets';

export const ROOT_ELEMENT_ID = 'root';

/** Everything before React's stream: the shell's head, and the element React renders into. */
export function documentHead(assets: PageAssets): string {
  const styles = assets.styles.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>az-shop</title>
<link rel="icon" href="data:,">
<link rel="modulepreload" href="${assets.script}">
${styles}
</head>
<body>
<div id="${ROOT_ELEMENT_ID}">`;
}

/**
 * Everything after React's stream: the hydration data as an inert JSON block (no inline script to
 * execute, and escaped so it cannot close its element), then the client bundle. A module script runs
 * after the document is parsed, so the data is there when it does.
 */
export function documentTail(hydrationJson: string, nonce: string, assets: PageAssets): string {
  return `</div>
<script type="application/json" id="${HYDRATION_DATA_ID}">${hydrationJson}</script>
<script type="module" src="${assets.script}" nonce="${nonce}"></script>
</body>
</html>`;
}

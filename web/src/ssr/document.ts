import { HYDRATION_DATA_ID } from '../ui/hydration';

/** Where esbuild puts the browser bundle (`web/dist/public/assets/client.js`), as served by the static plugin. */
export const CLIENT_SCRIPT = '/assets/client.js';
export const ROOT_ELEMENT_ID = 'root';

const STYLES = `
*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
.site-header{display:flex;justify-content:space-between;align-items:center;padding:.75rem 1.5rem;background:#fff;border-bottom:1px solid #ddd}
.site-header nav{display:flex;gap:.75rem;align-items:center}.brand{font-weight:700;text-decoration:none;color:inherit}
.badge{font-size:.75rem;background:#333;color:#fff;border-radius:.5rem;padding:.1rem .5rem}
form.inline{display:inline}main{max-width:72rem;margin:0 auto;padding:1.5rem}
.product-grid{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}
.product-card{background:#fff;border:1px solid #e3e3e3;border-radius:.5rem;padding:1rem}
.product-card img,.product img{max-width:100%}.price{font-weight:600}
`;

/** Everything before React's stream: the shell's head, and the element React renders into. */
export function documentHead(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>az-shop</title>
<link rel="icon" href="data:,">
<link rel="modulepreload" href="${CLIENT_SCRIPT}">
<style nonce="${nonce}">${STYLES}</style>
</head>
<body>
<div id="${ROOT_ELEMENT_ID}">`;
}

/**
 * Everything after React's stream: the hydration data as an inert JSON block (no inline script to
 * execute, and escaped so it cannot close its element), then the client bundle. A module script runs
 * after the document is parsed, so the data is there when it does.
 */
export function documentTail(hydrationJson: string, nonce: string): string {
  return `</div>
<script type="application/json" id="${HYDRATION_DATA_ID}">${hydrationJson}</script>
<script type="module" src="${CLIENT_SCRIPT}" nonce="${nonce}"></script>
</body>
</html>`;
}

import { escapeHtml } from '@az-shop/common';
import { DEV_USERS } from './accounts';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
label,input,button{display:block;margin:.5rem 0}input{width:100%;padding:.4rem}
button{padding:.5rem 1rem}.error{color:#b00020}.hint{color:#555;font-size:.9rem}</style>
</head>
<body><p class="hint">az-shop dev identity provider: for local development and tests only.</p>
${body}
</body></html>`;
}

export function loginPage(options: {
  uid: string;
  clientName: string;
  email?: string;
  error?: string;
}): string {
  const users = DEV_USERS.map(
    (user) =>
      `<li><code>${escapeHtml(user.email)}</code>: ${escapeHtml(user.name)}${user.roles.length ? ` (${escapeHtml(user.roles.join(', '))})` : ''}</li>`,
  ).join('');
  return page(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(options.clientName)}</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(options.uid)}/login">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" required autocomplete="username" value="${escapeHtml(options.email ?? '')}"${options.email ? '' : ' autofocus'}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required autocomplete="current-password"${options.email ? ' autofocus' : ''}>
  <button type="submit">Sign in</button>
</form>
<h2>Seeded users</h2><ul>${users}</ul>
<p class="hint">Their dev-only passwords are in <code>emulators/identity/README.md</code>.</p>
<form method="post" action="/interaction/${escapeHtml(options.uid)}/abort"><button type="submit">Cancel</button></form>`,
  );
}

export function consentPage(options: { uid: string; clientName: string; scopes: string[] }): string {
  const scopes = options.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('');
  return page(
    'Allow access',
    `<h1>${escapeHtml(options.clientName)} asks for access</h1>
<p>It wants to read:</p><ul>${scopes || '<li>your sign-in</li>'}</ul>
<form method="post" action="/interaction/${escapeHtml(options.uid)}/confirm">
  <button type="submit">Allow</button>
</form>
<form method="post" action="/interaction/${escapeHtml(options.uid)}/abort"><button type="submit">Deny</button></form>`,
  );
}

/** RP-initiated logout confirmation; `form` is oidc-provider's hidden form carrying the xsrf token. */
export function logoutPage(form: string, host: string): string {
  return page(
    'Sign out',
    `${form}<h1>Sign out of ${escapeHtml(host)}?</h1>
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

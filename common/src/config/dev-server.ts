/**
 * For the entry points of dev servers (the dev identity provider): with `NODE_ENV=production` they
 * print one line and exit with code 1 before doing anything, since their users, keys and data are
 * public. The dev Mongo server does the same in its own CLI (it cannot depend on common).
 */
export function refuseToStartInProduction(server: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV !== 'production') return;
  process.stderr.write(`Refused in production: ${server} is for development and tests only\n`);
  process.exit(1);
}

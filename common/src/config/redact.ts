/**
 * Hides the secret parts of connection strings in text meant for people (config errors, log lines):
 * a URL's password (`mongodb://user:***@host`, also without a scheme), a URL's userinfo when it is a
 * token alone (`https://***@host`), and the keys of Azure-style connection strings (`AccountKey=***`).
 * A password ends at the last `@` before the host, so one holding an unescaped `@` is hidden whole.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#:]+)@/gi, '$1***@')
    .replace(/([^\s/?#:@'"]*):[^\s/?#]*@/g, '$1:***@')
    .replace(/\b(AccountKey|SharedAccessKey|SharedAccessSignature)=[^;\s"']*/gi, '$1=***');
}

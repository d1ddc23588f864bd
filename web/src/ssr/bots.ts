/** Crawlers and link previewers: they read the HTML once and run no scripts. */
const BOT_USER_AGENT =
  /bot\b|crawl|spider|slurp|bingpreview|facebookexternalhit|embedly|quora link preview|whatsapp|lighthouse|headlesschrome-crawler/i;

/**
 * Whether to send the page whole instead of streaming it: a bot would not wait for the Suspense
 * boundaries to stream in (nor run the scripts that swap them), so it gets them already resolved.
 */
export function isBot(userAgent: string | undefined): boolean {
  return userAgent !== undefined && BOT_USER_AGENT.test(userAgent);
}

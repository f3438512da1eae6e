/**
 * A user agent as a person reads it: "Chrome on Linux" for a browser, the product and version for a tool
 * ("curl/8.5.0", "jfrog-cli-go/2.52.0"). Browsers are named by family and system only, so an update does not
 * make a "new browser"; tools keep their version, which is what tells an old script from a new one.
 */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\bFirefox\//, 'Firefox'],
  [/(?:\b|Headless)Chrom(?:e|ium)\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iOS/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux|X11/, 'Linux'],
];

export const UNKNOWN_CLIENT = 'an unknown client';
/** What every client that is no browser counts as among the browsers a user signs in from. */
export const NOT_A_BROWSER = 'a client that is no browser';

/**
 * The browser as "known browsers" keep it: family and system only, from a fixed list, so no user agent an
 * attacker types (nor a tool's new version) makes a "new browser", and a user has a bounded few of them.
 */
export function browserFamily(userAgent: string | null | undefined): string {
  const agent = userAgent ?? '';
  const browser = agent.startsWith('Mozilla/') ? BROWSERS.find(([pattern]) => pattern.test(agent))?.[1] : undefined;
  if (!browser) return NOT_A_BROWSER;
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  return system ? `${browser} on ${system}` : browser;
}

export function describeUserAgent(userAgent: string | null | undefined): string {
  const agent = userAgent?.trim();
  if (!agent) return UNKNOWN_CLIENT;
  if (agent.startsWith('Mozilla/')) {
    const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
    const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
    if (browser) return system ? `${browser} on ${system}` : browser;
  }
  // A tool: its first product token, which carries its name and version.
  const product = agent.split(/\s+/)[0]!;
  return product.length > 60 ? `${product.slice(0, 60)}…` : product;
}

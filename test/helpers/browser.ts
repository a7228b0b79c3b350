import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, which .ci/run installs; browser tests skip with a reason where it is missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when Debian's chromium is installed. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (.ci/run installs Debian's chromium)`;
}

/**
 * Launches headless chromium with the flags this sandbox needs: no background networking, which the
 * closed network would refuse many times over, and no sandbox, since tests run as root. `args` are
 * further chromium flags (e.g. --host-resolver-rules).
 */
export function launchChromium(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...args,
    ],
    timeout: 30_000,
  });
}

/** What a page-side callback reads of an element (the DOM's types are not in this Node program). */
export interface DomElement {
  getAttribute(name: string): string | null;
}

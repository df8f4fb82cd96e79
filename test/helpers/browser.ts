import sparticuzChromium from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/**
 * Flags for a headless Chromium run as root in a container: no sandbox, no GPU, and nothing that
 * reaches the network by itself. Playwright gives each launch a fresh profile (--user-data-dir)
 * of its own and removes it on close.
 */
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium: the one `npm ci` installs from the npm registry (@sparticuz/chromium,
 * unpacked into the temporary folder on first use), or a system Chromium named by
 * CLUSTERSIM_CHROMIUM (e.g. /usr/bin/chromium).
 */
export async function launchChromium(): Promise<Browser> {
  const systemChromium = process.env['CLUSTERSIM_CHROMIUM'];
  let executablePath: string;
  if (systemChromium !== undefined && systemChromium !== '') executablePath = systemChromium;
  else {
    sparticuzChromium.setGraphicsMode = false; // no WebGL: the reports are SVG, and SwiftShader need not be unpacked
    executablePath = await sparticuzChromium.executablePath();
  }
  return chromium.launch({ executablePath, headless: true, args: chromiumFlags });
}

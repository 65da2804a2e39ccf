// Launching Debian's Chromium headless through playwright-core (no browser download).
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve.mjs";

export const CHROMIUM = process.env.AOLITE_CHROMIUM ?? "/usr/bin/chromium";

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Serves the repository, opens `path` (from its root) in a fresh headless Chromium and
 * waits for the page to set `data-ready`: `{ page, pageErrors, close }`, the page's
 * uncaught errors collected in `pageErrors`. */
export async function openReadyPage(path) {
  const server = await serve(0);
  let browser;
  const close = async () => {
    await browser?.close();
    await server.close();
  };
  try {
    browser = await launch();
    const page = await browser.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e));
    await page.goto(`${server.url}${path}`);
    await page.waitForFunction(() => document.body?.dataset.ready === "true", null, { timeout: 60_000 });
    return { page, pageErrors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Trap pages in Chromium: every page hides its secret field by another trick (trapPages.ts). For each,
 * by the popup's Fill, the keyboard shortcut and the context menu, the secret must not be anywhere in
 * the page afterwards, and the user must be told that the page hides a field.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFillHarness, type FillHarness } from './fillHarness';
import { trapPages } from './trapPages';

const TOLD = /This page hides a field \([^)]+\): Keyfob did not fill it\./;
const paths = Object.keys(trapPages(''));

describe('fill refuses fields the user cannot see', () => {
  let h: FillHarness;
  beforeAll(async () => {
    h = await startFillHarness((cross) => ({ ...trapPages(cross), '/blank': '<!doctype html><html><body style="background:transparent"></body></html>' }));
    await h.approve(`http://127.0.0.1:${h.port}`);
  }, 90_000);
  afterAll(() => h?.close());

  /** What a hostile page does before the context-menu click: the pointer over the field, the focus in it. */
  const focusTrap = async (tab: Page) => {
    const box = await tab.$eval('[name=pass]', (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2, inside: r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight };
    });
    if (box.inside) await tab.mouse.move(box.x, box.y);
    await tab.$eval('[name=pass]', (el) => (el as HTMLInputElement).focus());
  };

  it.each(paths)('shortcut: %s', async (path) => {
    const tab = await h.openSite(path);
    const result = await h.shortcut(tab);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.outcome.message).toMatch(TOLD);
    expect(result.outcome.filled).not.toContain('API key');
    expect(await h.notice(tab)).toMatch(TOLD);
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    expect((await h.submit(tab)).pass).toBe('');
    await tab.close();
  });

  it.each(paths)('context menu: %s', async (path) => {
    const tab = await h.openSite(path);
    await focusTrap(tab);
    const result = await h.menu(tab, 'keyfob-fill-api-key');
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.outcome).toMatchObject({ filled: [], trap: true });
    expect(result.outcome.message).toMatch(TOLD);
    expect(await h.notice(tab)).toMatch(TOLD);
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    await tab.close();
  });

  it.each(paths)('popup: %s', async (path) => {
    const tab = await h.openSite(path);
    const popup = await h.toolbarPopup(tab);
    await popup.locator('::-p-aria([name="Fill"][role="button"])').click();
    expect(await h.popupStatus(popup, TOLD)).toMatch(TOLD);
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    await popup.close();
    await tab.close();
  });
});

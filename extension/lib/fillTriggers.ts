/**
 * The background's ways to fill: the keyboard shortcut (fill the page, or open the popup to unlock) and
 * the context menu on an editable field (fill exactly that field: the frame Chrome names, and in Firefox
 * the element itself).
 */
import { browser, type Browser } from 'wxt/browser';
import { fillTab, type FillDeps, type FillResult, type FillTarget, type SecretChoice } from './fill/fill';

export const FILL_COMMAND = 'fill-credentials';
const MENU_PARENT = 'keyfob-fill';
const MENU_ITEMS: Record<string, 'username' | SecretChoice> = {
  'keyfob-fill-username': 'username',
  'keyfob-fill-api-key': 'apiKey',
  'keyfob-fill-encrypted-password': 'encryptedPassword',
};

type Tab = Browser.tabs.Tab;
/** What `contextMenus.onClicked` says about the click (Firefox adds `targetElementId`). */
export interface MenuClick {
  menuItemId: string | number;
  frameId?: number;
  targetElementId?: number;
}

/** Signed out or locked: the popup is where to sign in or unlock. */
async function afterFill(result: FillResult): Promise<FillResult> {
  if (!result.ok && (result.reason === 'locked' || result.reason === 'signed-out')) {
    await browser.action.openPopup().catch(() => undefined);
  }
  return result;
}

export function onFillCommand(deps: FillDeps, tab: Tab | undefined): Promise<FillResult> {
  return fillTab(deps, tab ?? {}, { kind: 'login' }, { announce: true }).then(afterFill);
}

export function onFillMenu(deps: FillDeps, click: MenuClick, tab: Tab | undefined): Promise<FillResult> | null {
  const field = MENU_ITEMS[String(click.menuItemId)];
  if (!field) return null;
  const target: FillTarget = {
    kind: 'focused',
    field,
    ...(click.frameId ? { frameId: click.frameId } : {}),
    ...(click.targetElementId !== undefined ? { targetElementId: click.targetElementId } : {}),
  };
  return fillTab(deps, tab ?? {}, target, { announce: true }).then(afterFill);
}

export function createFillMenus() {
  browser.contextMenus.removeAll(() => {
    browser.contextMenus.create({ id: MENU_PARENT, title: 'Keyfob', contexts: ['editable'] });
    browser.contextMenus.create({ id: 'keyfob-fill-username', parentId: MENU_PARENT, title: 'Fill username', contexts: ['editable'] });
    browser.contextMenus.create({ id: 'keyfob-fill-api-key', parentId: MENU_PARENT, title: 'Fill API key', contexts: ['editable'] });
    browser.contextMenus.create({ id: 'keyfob-fill-encrypted-password', parentId: MENU_PARENT, title: 'Fill encrypted password', contexts: ['editable'] });
  });
}

export function startFillTriggers(deps: FillDeps) {
  browser.runtime.onInstalled.addListener(createFillMenus);
  browser.commands.onCommand.addListener((command, tab) => {
    if (command === FILL_COMMAND) void onFillCommand(deps, tab);
  });
  browser.contextMenus.onClicked.addListener((info, tab) => {
    void onFillMenu(deps, info as MenuClick, tab);
  });
}

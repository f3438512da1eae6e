/**
 * The script Fill loads into a tab's isolated world before calling `keyfobFillPage(request)` there
 * (browserFill.ts): the fill code and its visibility rules, bundled from lib/fill/ like any module.
 */
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { fillInPage } from '../lib/fill/page';

export default defineUnlistedScript(() => {
  (globalThis as { keyfobFillPage?: typeof fillInPage }).keyfobFillPage = fillInPage;
});

/** Chrome's offscreen document: clears the clipboard when asked, then closes itself. */
import { createClearScheduler, documentClipboard } from '../../lib/clipboard';
import { onMessages } from '../../lib/messaging';

const schedule = createClearScheduler(documentClipboard(document), () => window.close());
onMessages({ 'offscreen:schedule-clear': ({ sha256, delayMs }) => schedule(sha256, delayMs) });

/**
 * Chrome's offscreen document: clears the clipboard when asked. It stays open once made: closing it after
 * a clear would race the next copy, whose message could reach a document on its way out.
 */
import { createClearScheduler, documentClipboard } from '../../lib/clipboard';
import { onMessages } from '../../lib/messaging';

const schedule = createClearScheduler(documentClipboard(document));
onMessages({ 'offscreen:schedule-clear': ({ sha256, delayMs }) => schedule(sha256, delayMs) });

/**
 * Clearing a copied secret from the clipboard later, without wiping something the user copied since:
 * only the SHA-256 of what Keyfob copied is kept, and the clipboard is cleared only if it still matches.
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface ClipboardIo {
  /** The clipboard's text, or null where the browser does not let Keyfob read it. */
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

export type ClearOutcome = 'cleared' | 'left-alone' | 'cleared-unchecked';

export async function clearIfUnchanged(io: ClipboardIo, expectedSha256: string): Promise<ClearOutcome> {
  const current = await io.read().catch(() => null);
  if (current === null) {
    // Cannot check: a secret left on the clipboard is worse than losing what was copied over it.
    await io.write('');
    return 'cleared-unchecked';
  }
  if ((await sha256Hex(current)) !== expectedSha256) return 'left-alone';
  await io.write('');
  return 'cleared';
}

/** Clipboard access for a document without focus (Chrome's offscreen document): execCommand, not navigator.clipboard. */
export function documentClipboard(doc: Document): ClipboardIo {
  return {
    async read() {
      const area = doc.createElement('textarea');
      doc.body.append(area);
      area.focus();
      const ok = doc.execCommand('paste');
      const text = area.value;
      area.remove();
      return ok ? text : null;
    },
    async write(text) {
      // A copy event whose data we set: works with nothing selected, and for the empty string.
      const onCopy = (event: ClipboardEvent) => {
        event.clipboardData?.setData('text/plain', text);
        event.preventDefault();
      };
      doc.addEventListener('copy', onCopy);
      try {
        doc.execCommand('copy');
      } finally {
        doc.removeEventListener('copy', onCopy);
      }
    },
  };
}

/** Clipboard access through the async Clipboard API (Firefox's background page, with the clipboard permissions). */
export function navigatorClipboard(clipboard: Clipboard): ClipboardIo {
  return {
    read: () => clipboard.readText().catch(() => null),
    write: (text) => clipboard.writeText(text),
  };
}

/** Runs one pending clear per hash; a new copy makes the older clears find something else and leave it. */
export function createClearScheduler(io: ClipboardIo, onIdle: () => void = () => {}) {
  let pending = 0;
  return (sha256: string, delayMs: number) => {
    pending++;
    setTimeout(async () => {
      try {
        await clearIfUnchanged(io, sha256);
      } finally {
        if (--pending === 0) onIdle();
      }
    }, delayMs);
  };
}

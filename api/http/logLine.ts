/**
 * Log lines that stay one line each. A request path arrives percent-decoded, so `/%0aGET%20/admin 200`
 * would otherwise write a forged line of its own; a user name or an e-mail address could do the same.
 */

// Controls (C0, DEL, C1), format characters (bidi overrides that reorder what a reader sees), line and
// paragraph separators, lone surrogates, and the backslash itself, so an escape in the log is never ambiguous.
const UNSAFE = /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** The text with every character that could break or disguise a log line written as an escape (`\x0a`, `\u{202e}`, `\\`). */
export function escapeLogText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    if (ch === '\\') return '\\\\';
    const code = ch.codePointAt(0) as number;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** A log sink that writes every line it is handed escaped: the one place nothing can slip past. */
export function escapingLog(log: (line: string) => void): (line: string) => void {
  return function escapedLog(line) {
    log(escapeLogText(line));
  };
}

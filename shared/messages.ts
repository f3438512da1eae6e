/**
 * The extension's one messaging protocol: every message between its contexts, with what it carries and
 * what it answers. No secret ever travels in a message: the clipboard is cleared by comparing hashes.
 */
export interface ProtocolMap {
  /** Popup → background: clear the clipboard after `delayMs` if it still holds the text with this SHA-256. */
  'clipboard:schedule-clear': { data: { sha256: string; delayMs: number }; reply: void };
  /** Background → offscreen document (Chrome): the same, where a document can touch the clipboard. */
  'offscreen:schedule-clear': { data: { sha256: string; delayMs: number }; reply: void };
  /**
   * Popup → background: sign in with this OAuth provider. The background starts the flow, opens the
   * provider in a tab, and collects the session when that tab is back (the popup closes meanwhile).
   */
  'oauth:sign-in': { data: { serverUrl: string; provider: string }; reply: void };
  /**
   * Popup → background: the popup started a bind; open its provider in a tab, and approve the bind with
   * the session once that tab is back on Keyfob's page (where the user confirms it).
   */
  'oauth:bind': { data: { authorizationUrl: string }; reply: void };
  /** Popup → background: the user did something; restart the auto-lock timer. */
  'activity:touch': { data: Record<string, never>; reply: void };
}

export type MessageType = keyof ProtocolMap;

export interface Message<K extends MessageType = MessageType> {
  type: K;
  data: ProtocolMap[K]['data'];
}

export function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as Message).type === 'string' && 'data' in value;
}

import type { JSX } from 'preact';
import type { ProfileReply } from '../../../../shared/schemas';
import type { KeyfobClient } from '../../../lib/api';

/** What every tab of the unlocked popup gets. */
export interface TabProps {
  profile: ProfileReply;
  client: () => Promise<KeyfobClient>;
  /** A new profile from the server (after a change). */
  onProfile: (profile: ProfileReply) => void;
  /** A failure the popup's recovery handles (session ended, locked, unreachable). */
  onError: (error: unknown) => void;
  onStatus: (text: string) => void;
  /** The secret display (masked, View, Copy), with the popup's clipboard clearing. */
  renderSecret: (props: { label: string; id: string; masked: string; reveal: () => Promise<string> }) => JSX.Element;
}

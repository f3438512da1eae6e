import type { PopupDeps, View } from '../../../lib/popup';

export type SetView = (view: View) => void;
export type ViewOf<N extends View['name']> = Extract<View, { name: N }>;

/** What every view gets: its state, the browser and server it acts through, and the way to the next view. */
export interface ViewProps<N extends View['name']> {
  view: ViewOf<N>;
  deps: PopupDeps;
  setView: SetView;
}

/** The popup's root: which view shows, and the settings every view reads. Each view is a file of views/. */
import { useLayoutEffect, useState } from 'preact/hooks';
import { describeError } from '../../lib/api';
import { openPopup, type PopupDeps, type View } from '../../lib/popup';
import { DEFAULT_AUTO_LOCK, type AutoLock } from '../../lib/storage';
import { Loading } from './components';
import { FromLazyChunk } from './tabs/LazyTab';
import { LockedView } from './views/LockedView';
import type { SetView } from './views/props';
import { SignInView } from './views/SignInView';
import { UnlockedView } from './views/UnlockedView';
import { UnreachableView } from './views/UnreachableView';

const READY_MARK = 'keyfob-ready';

function Views(props: { view: View; setView: SetView; deps: PopupDeps; clearSeconds: number; autoLock: AutoLock }) {
  const { view, setView, deps } = props;
  switch (view.name) {
    case 'loading':
      return <Loading />;
    case 'setup':
      return <FromLazyChunk render={(chunk) => <chunk.SetupView view={view} deps={deps} setView={setView} />} />;
    case 'sign-in':
      return <SignInView view={view} deps={deps} setView={setView} />;
    case 'forgot':
      return <FromLazyChunk render={(chunk) => <chunk.ForgotView view={view} deps={deps} setView={setView} />} />;
    case 'expired':
      return <FromLazyChunk render={(chunk) => <chunk.ExpiredPasswordView view={view} deps={deps} setView={setView} />} />;
    case 'locked':
      return <LockedView view={view} deps={deps} setView={setView} />;
    case 'unreachable':
      return <UnreachableView view={view} deps={deps} setView={setView} />;
    case 'unlocked':
      return <UnlockedView view={view} deps={deps} setView={setView} clearSeconds={props.clearSeconds} autoLock={props.autoLock} />;
  }
}

export function Popup(props: { deps: PopupDeps; firstView?: Promise<View> }) {
  const [view, setView] = useState<View>({ name: 'loading' });
  const [clearSeconds, setClearSeconds] = useState(30);
  const [autoLock, setAutoLock] = useState<AutoLock>(DEFAULT_AUTO_LOCK);
  // A layout effect: a plain one waits for the next frame, and the first view should not.
  useLayoutEffect(() => {
    void props.deps.settings().then((s) => {
      setClearSeconds(s.clipboardClearSeconds);
      setAutoLock(s.autoLock);
    });
    (props.firstView ?? openPopup(props.deps)).then(setView, (error) => setView({ name: 'unreachable', serverUrl: '', error: describeError(error).message }));
  }, []);
  // Marks when the first real view is in the DOM (a layout effect runs in the same task as the commit):
  // what `npm run bench` reports as "ready".
  useLayoutEffect(() => {
    if (view.name !== 'loading' && performance.getEntriesByName(READY_MARK).length === 0) performance.mark(READY_MARK);
  }, [view.name]);
  return (
    <div class="popup" data-view={view.name}>
      <Views view={view} setView={setView} deps={props.deps} clearSeconds={clearSeconds} autoLock={autoLock} />
    </div>
  );
}

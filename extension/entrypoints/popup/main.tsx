import { render } from 'preact';
import { openPopup } from '../../lib/popup';
import { browserPopupDeps } from '../../lib/popupDeps';
import { Popup } from './Popup';
import './style.css';

// Start reading storage and asking the server before the first render, not in an effect after it.
const firstView = openPopup(browserPopupDeps);
render(<Popup deps={browserPopupDeps} firstView={firstView} />, document.getElementById('app')!);

import { render } from 'preact';
import { browserPopupDeps } from '../../lib/popupDeps';
import { Popup } from './Popup';
import './style.css';

render(<Popup deps={browserPopupDeps} />, document.getElementById('app')!);

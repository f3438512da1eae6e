import { render } from 'preact';
import { Options } from './Options';
import '../popup/style.css';

render(<Options />, document.getElementById('app')!);

import { render } from 'preact';
import { Approve } from './Approve';
import '../popup/style.css';

render(<Approve query={location.search} />, document.getElementById('app')!);

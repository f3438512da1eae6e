import { render } from 'preact';

// Placeholder until the popup issue: proves the build pipeline (WXT + Preact) works.
function Popup() {
  return <main><h1>Keyfob</h1><p>The popup is coming soon.</p></main>;
}

render(<Popup />, document.getElementById('app')!);

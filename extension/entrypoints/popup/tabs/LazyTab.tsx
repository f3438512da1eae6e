import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from '../components';

type LazyChunk = typeof import('./lazy');
let loading: Promise<LazyChunk> | null = null;

/** The lazy chunk once it has loaded (it loads once per popup, on first use). */
function useLazyChunk(): LazyChunk | null {
  const [chunk, setChunk] = useState<LazyChunk | null>(null);
  useEffect(() => {
    loading ??= import('./lazy');
    void loading.then(setChunk);
  }, []);
  return chunk;
}

/** Renders what `render` makes of the lazy chunk, with "Loading…" until it is there. */
export function FromLazyChunk(props: { render: (chunk: LazyChunk) => JSX.Element }) {
  const chunk = useLazyChunk();
  return chunk ? props.render(chunk) : <Loading />;
}

/**
 * Keyfob's rules for "can the user see this field?", as pure functions over computed-style-like values,
 * so they are tested without a browser (visibility.test.ts). The page side (page.ts) reads the real
 * computed styles, rectangles and hit tests and asks these functions; it is bundled with them into the
 * script that Fill injects, so there is one source of the rules.
 *
 * Visibility means what is painted: a field that is transparent through `opacity` or `filter`, masked,
 * clipped, blended into the page, shrunk, off-screen, covered, or whose text or box has no contrast with
 * what is behind it is a trap, whatever `display` and `visibility` say.
 */

/** A field Keyfob will not fill. `not-shown` is a field the page does not show at all (a later step of a login). */
export type Problem =
  | 'not-shown'
  | 'disabled'
  | 'transparent'
  | 'filtered'
  | 'masked'
  | 'clipped'
  | 'blended'
  | 'too-small'
  | 'off-screen'
  | 'covered'
  | 'invisible-text'
  | 'invisible-box'
  | 'changed';

/** What each trap looks like, in words for the user: "This page hides a field (…): Keyfob did not fill it." */
export const PROBLEM_WORDS: Record<Problem, string> = {
  'not-shown': 'not shown',
  disabled: 'disabled',
  transparent: 'transparent',
  filtered: 'made invisible by a filter',
  masked: 'masked out',
  clipped: 'clipped away',
  blended: 'blended into the page',
  'too-small': 'too small to see',
  'off-screen': 'off-screen',
  covered: 'covered by something else',
  'invisible-text': 'its text cannot be seen',
  'invisible-box': 'the field itself cannot be seen',
  changed: 'hidden or moved by the page while Keyfob filled it',
};

/** The computed-style properties the rules read, named as in `CSSStyleDeclaration`. */
export interface StyleLike {
  display: string;
  visibility: string;
  opacity: string;
  filter: string;
  clipPath: string;
  clip?: string;
  position?: string;
  maskImage?: string;
  webkitMaskImage?: string;
  mixBlendMode: string;
  contentVisibility?: string;
}

/** Below this painted opacity a field counts as transparent. */
export const MIN_OPACITY = 0.7;
/** The smallest rendered field, in CSS pixels, after every transform and zoom. */
export const MIN_WIDTH = 24;
export const MIN_HEIGHT = 12;
/** Text needs at least this contrast ratio (WCAG's formula) with the field's background. */
export const MIN_TEXT_CONTRAST = 1.5;
/** A field's box (background, border or shadow) needs this contrast with what is behind it. */
export const MIN_BOX_CONTRAST = 1.1;

export type Rgba = [number, number, number, number];

/** `rgb(1, 2, 3)`, `rgba(1, 2, 3, 0.5)`, `rgb(1 2 3 / 50%)`, `transparent`, `#abc(d)`, `#aabbcc(dd)`; null when not understood. */
export function parseColor(css: string | undefined): Rgba | null {
  const value = (css ?? '').trim().toLowerCase();
  if (value === 'transparent') return [0, 0, 0, 0];
  const hex = /^#([0-9a-f]{3,8})$/.exec(value)?.[1];
  if (hex && [3, 4, 6, 8].includes(hex.length)) {
    const digits = hex.length <= 4 ? [...hex].map((d) => d + d) : hex.match(/../g)!;
    const [r = 0, g = 0, b = 0, a = 255] = digits.map((d) => Number.parseInt(d, 16));
    return [r, g, b, a / 255];
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(value)?.[1];
  if (!fn) return null;
  const parts = fn.split(/[\s,/]+/).filter(Boolean);
  if (parts.length < 3) return null;
  const channel = (p: string) => (p.endsWith('%') ? (Number.parseFloat(p) * 255) / 100 : Number.parseFloat(p));
  const alpha = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? Number.parseFloat(parts[3]) / 100 : Number.parseFloat(parts[3]);
  const rgba: Rgba = [channel(parts[0]!), channel(parts[1]!), channel(parts[2]!), alpha];
  return rgba.some((n) => Number.isNaN(n)) ? null : rgba;
}

/** `top` painted over `bottom` (which is taken as opaque). */
export function composite(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
}

function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG's contrast ratio between two opaque colours: 1 (the same) to 21 (black on white). */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** A `filter` value's effect: the opacity it multiplies in, and whether it otherwise hides what it paints. */
export function filterEffect(filter: string): { opacity: number; hides: boolean } {
  const value = filter.trim().toLowerCase();
  if (!value || value === 'none') return { opacity: 1, hides: false };
  // An SVG filter can do anything to the pixels.
  if (value.includes('url(')) return { opacity: 1, hides: true };
  let opacity = 1;
  let hides = false;
  for (const [, name, arg] of value.matchAll(/([a-z-]+)\(([^)]*)\)/g)) {
    const raw = (arg ?? '').trim();
    const amount = raw === '' ? 1 : raw.endsWith('%') ? Number.parseFloat(raw) / 100 : Number.parseFloat(raw);
    if (name === 'opacity') opacity *= Math.min(1, Math.max(0, amount));
    else if (name === 'brightness' && amount < 0.4) hides = true;
    else if (name === 'contrast' && amount < 0.4) hides = true;
    else if (name === 'blur' && Number.parseFloat(raw) >= 2) hides = true;
  }
  return { opacity, hides };
}

/** The painted opacity of one element: its `opacity` times any `opacity()` in its `filter`. */
export function ownOpacity(style: Pick<StyleLike, 'opacity' | 'filter'>): number {
  const opacity = Number.parseFloat(style.opacity);
  return (Number.isNaN(opacity) ? 1 : opacity) * filterEffect(style.filter).opacity;
}

/**
 * What one element's own style does to everything inside it (apply to the field and each ancestor, up
 * through the frames). Opacity is not judged here: it multiplies down the chain (see `paintedOpacity`).
 */
export function styleProblem(style: StyleLike): Problem | null {
  if (style.display === 'none' || style.visibility === 'hidden' || style.visibility === 'collapse' || style.contentVisibility === 'hidden') return 'not-shown';
  const mask = style.maskImage ?? style.webkitMaskImage;
  if (mask && mask !== 'none') return 'masked';
  if (style.clipPath && style.clipPath !== 'none') return 'clipped';
  if (style.clip && style.clip !== 'auto' && (style.position === 'absolute' || style.position === 'fixed')) return 'clipped';
  if (style.mixBlendMode && style.mixBlendMode !== 'normal') return 'blended';
  if (filterEffect(style.filter).hides) return 'filtered';
  return null;
}

/** The opacity actually painted for an element inside all these (the element first, then its ancestors). */
export function paintedOpacity(chain: Pick<StyleLike, 'opacity' | 'filter'>[]): number {
  return chain.reduce((product, style) => product * ownOpacity(style), 1);
}

/** The first problem along the chain (the field, then its ancestors), opacity included. */
export function chainProblem(chain: StyleLike[]): Problem | null {
  for (const style of chain) {
    const problem = styleProblem(style);
    if (problem) return problem;
  }
  if (paintedOpacity(chain) < MIN_OPACITY) {
    return chain.some((style) => filterEffect(style.filter).opacity < 1) ? 'filtered' : 'transparent';
  }
  return null;
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The rendered size (from `getBoundingClientRect`, so after transforms and zoom) against the layout size
 * (`offsetWidth`/`offsetHeight`): too small to see, or shrunk to under half by a scale.
 */
export function sizeProblem(rendered: Pick<Box, 'width' | 'height'>, layout: Pick<Box, 'width' | 'height'>): Problem | null {
  if (rendered.width < MIN_WIDTH || rendered.height < MIN_HEIGHT) return 'too-small';
  if (layout.width > 0 && layout.height > 0 && (rendered.width / layout.width < 0.5 || rendered.height / layout.height < 0.5)) return 'too-small';
  return null;
}

/** Off-screen unless nearly all of the field (or of the viewport, for a field larger than it) is inside the viewport. */
export function offScreen(rect: Box, viewport: { width: number; height: number }): boolean {
  const visibleWidth = Math.min(rect.left + rect.width, viewport.width) - Math.max(rect.left, 0);
  const visibleHeight = Math.min(rect.top + rect.height, viewport.height) - Math.max(rect.top, 0);
  return visibleWidth < Math.min(rect.width, viewport.width) * 0.9 || visibleHeight < Math.min(rect.height, viewport.height) * 0.9;
}

/** Sample points across a box (inset from its edges) where the field must be the topmost thing painted. */
export function samplePoints(rect: Box): [number, number][] {
  const xs = [0.15, 0.5, 0.85].map((f) => rect.left + rect.width * f);
  const ys = [0.2, 0.5, 0.8].map((f) => rect.top + rect.height * f);
  return xs.flatMap((x) => ys.map((y) => [x, y] as [number, number]));
}

export interface FieldColors {
  /** The field's `color`, and `-webkit-text-fill-color` (which wins when set). */
  color: string;
  textFill?: string;
  /** The field's own `background-color`. */
  background: string;
  /** Whether the field draws a background image (its colour then says little). */
  backgroundImage?: boolean;
  /** Each side's border: width in px, style and colour. */
  borders: { width: number; style: string; color: string }[];
  /** `box-shadow` and `outline` draw the box too. */
  boxShadow?: string;
  /** The colour behind the field (the nearest opaque background of an ancestor), or null when an image is behind it. */
  behind: string | null;
}

/** Transparent text, text the colour of its background, or a field box that melts into the page. */
export function colorProblem(field: FieldColors): Problem | null {
  const behind = field.behind === null ? null : (parseColor(field.behind) ?? [255, 255, 255, 1]);
  const text = parseColor(field.textFill) ?? parseColor(field.color);
  const own = parseColor(field.background) ?? [0, 0, 0, 0];
  if (text && text[3] < 0.3) return 'invisible-text';
  const fieldBackground = behind ? composite(own, behind) : own[3] >= 0.9 ? own : null;
  if (text && fieldBackground && contrastRatio(composite(text, fieldBackground), fieldBackground) < MIN_TEXT_CONTRAST) return 'invisible-text';
  if (!behind || field.backgroundImage) return null;
  if (contrastRatio(composite(own, behind), behind) >= MIN_BOX_CONTRAST) return null;
  const borderShows = field.borders.some((border) => {
    const color = parseColor(border.color);
    return (
      border.width >= 1 &&
      !['none', 'hidden'].includes(border.style) &&
      !!color &&
      color[3] >= 0.3 &&
      contrastRatio(composite(color, behind), behind) >= MIN_BOX_CONTRAST
    );
  });
  if (borderShows) return null;
  if (field.boxShadow && field.boxShadow !== 'none') return null;
  return 'invisible-box';
}

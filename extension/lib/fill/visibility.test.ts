/** The visibility rules on their own, over computed-style-like values: no browser, no build. */
import { describe, expect, it } from 'vitest';
import {
  chainProblem,
  colorProblem,
  contrastRatio,
  filterEffect,
  offScreen,
  paintedOpacity,
  parseColor,
  samplePoints,
  sizeProblem,
  styleProblem,
  type FieldColors,
  type StyleLike,
} from './visibility';

const plain: StyleLike = {
  display: 'block',
  visibility: 'visible',
  opacity: '1',
  filter: 'none',
  clipPath: 'none',
  clip: 'auto',
  position: 'static',
  maskImage: 'none',
  mixBlendMode: 'normal',
};
const style = (over: Partial<StyleLike>): StyleLike => ({ ...plain, ...over });
const border = { width: 1, style: 'solid', color: 'rgb(118, 118, 118)' };
const field = (over: Partial<FieldColors>): FieldColors => ({
  color: 'rgb(0, 0, 0)',
  background: 'rgb(255, 255, 255)',
  borders: [border, border, border, border],
  boxShadow: 'none',
  behind: 'rgb(255, 255, 255)',
  ...over,
});

describe('colours', () => {
  it('reads the forms getComputedStyle gives, and hex', () => {
    expect(parseColor('rgb(1, 2, 3)')).toEqual([1, 2, 3, 1]);
    expect(parseColor('rgba(1, 2, 3, 0.5)')).toEqual([1, 2, 3, 0.5]);
    expect(parseColor('rgb(1 2 3 / 50%)')).toEqual([1, 2, 3, 0.5]);
    expect(parseColor('transparent')).toEqual([0, 0, 0, 0]);
    expect(parseColor('#fff')).toEqual([255, 255, 255, 1]);
    expect(parseColor('#00000080')?.[3]).toBeCloseTo(0.5, 2);
    expect(parseColor('color(srgb 1 0 0)')).toBeNull();
  });
  it('measures contrast as WCAG does', () => {
    expect(contrastRatio([0, 0, 0, 1], [255, 255, 255, 1])).toBeCloseTo(21, 0);
    expect(contrastRatio([255, 255, 255, 1], [255, 255, 255, 1])).toBe(1);
  });
});

describe('styles along the chain', () => {
  it('a page that does not show a field at all (a later step of a login) is not a trap', () => {
    expect(styleProblem(style({ display: 'none' }))).toBe('not-shown');
    expect(styleProblem(style({ visibility: 'hidden' }))).toBe('not-shown');
    expect(styleProblem(style({ contentVisibility: 'hidden' }))).toBe('not-shown');
  });
  it('masks, clip paths, clip on a positioned box and blend modes hide what is painted', () => {
    expect(styleProblem(style({ maskImage: 'linear-gradient(transparent, transparent)' }))).toBe('masked');
    expect(styleProblem(style({ maskImage: undefined, webkitMaskImage: 'url("x.png")' }))).toBe('masked');
    expect(styleProblem(style({ clipPath: 'inset(50%)' }))).toBe('clipped');
    expect(styleProblem(style({ clip: 'rect(0px, 0px, 0px, 0px)', position: 'absolute' }))).toBe('clipped');
    expect(styleProblem(style({ clip: 'rect(0px, 0px, 0px, 0px)', position: 'static' }))).toBeNull();
    expect(styleProblem(style({ mixBlendMode: 'multiply' }))).toBe('blended');
    expect(styleProblem(plain)).toBeNull();
  });
  it('filters: opacity() multiplies in, SVG filters, heavy blur and darkness hide, a drop shadow does not', () => {
    expect(filterEffect('opacity(0)')).toEqual({ opacity: 0, hides: false });
    expect(filterEffect('opacity(50%) opacity(0.5)').opacity).toBeCloseTo(0.25);
    expect(filterEffect('url("#hide")').hides).toBe(true);
    expect(filterEffect('blur(4px)').hides).toBe(true);
    expect(filterEffect('brightness(0)').hides).toBe(true);
    expect(filterEffect('drop-shadow(rgba(0, 0, 0, 0.2) 0px 1px 2px)')).toEqual({ opacity: 1, hides: false });
    expect(styleProblem(style({ filter: 'blur(8px)' }))).toBe('filtered');
  });
  it('opacity is what is painted: the product over the field and its ancestors', () => {
    expect(paintedOpacity([style({ opacity: '0.8' }), style({ opacity: '0.8' })])).toBeCloseTo(0.64);
    expect(chainProblem([plain, style({ opacity: '0.8' }), style({ opacity: '0.8' })])).toBe('transparent');
    expect(chainProblem([plain, style({ filter: 'opacity(0)' })])).toBe('filtered');
    expect(chainProblem([plain, style({ opacity: '0.9' })])).toBeNull();
    expect(chainProblem([plain, style({ display: 'none', opacity: '0' })])).toBe('not-shown');
  });
});

describe('size and position', () => {
  it('too small after transforms or zoom, or scaled to under half', () => {
    expect(sizeProblem({ width: 260, height: 30 }, { width: 260, height: 30 })).toBeNull();
    expect(sizeProblem({ width: 2, height: 2 }, { width: 2, height: 2 })).toBe('too-small');
    expect(sizeProblem({ width: 26, height: 3 }, { width: 260, height: 30 })).toBe('too-small');
    expect(sizeProblem({ width: 100, height: 12 }, { width: 260, height: 30 })).toBe('too-small');
  });
  it('off-screen unless nearly all of it is in the viewport', () => {
    const viewport = { width: 800, height: 600 };
    expect(offScreen({ left: 10, top: 10, width: 200, height: 30 }, viewport)).toBe(false);
    expect(offScreen({ left: -9999, top: -9999, width: 200, height: 30 }, viewport)).toBe(true);
    expect(offScreen({ left: 780, top: 10, width: 200, height: 30 }, viewport)).toBe(true);
    expect(offScreen({ left: 0, top: -100, width: 800, height: 2000 }, viewport)).toBe(false);
  });
  it('samples nine points inside the box, not only its centre', () => {
    const points = samplePoints({ left: 0, top: 0, width: 100, height: 10 });
    expect(points).toHaveLength(9);
    expect(points).toContainEqual([50, 5]);
    expect(points.every(([x, y]) => x > 0 && x < 100 && y > 0 && y < 10)).toBe(true);
  });
});

describe('colours of the field', () => {
  it('an ordinary field passes, dark themes too', () => {
    expect(colorProblem(field({}))).toBeNull();
    expect(colorProblem(field({ color: 'rgb(230, 230, 230)', background: 'rgb(30, 30, 30)', behind: 'rgb(18, 18, 18)' }))).toBeNull();
  });
  it('transparent text, or text the colour of its background', () => {
    expect(colorProblem(field({ color: 'rgba(0, 0, 0, 0)' }))).toBe('invisible-text');
    expect(colorProblem(field({ color: 'rgb(255, 255, 255)' }))).toBe('invisible-text');
    expect(colorProblem(field({ textFill: 'rgba(0, 0, 0, 0)' }))).toBe('invisible-text');
    expect(colorProblem(field({ color: 'rgb(250, 250, 250)', background: 'transparent', behind: 'rgb(255, 255, 255)' }))).toBe('invisible-text');
  });
  it('a box with no background, border or shadow that differs from the page', () => {
    const none = { width: 0, style: 'none', color: 'rgb(0, 0, 0)' };
    expect(colorProblem(field({ background: 'transparent', borders: [none, none, none, none] }))).toBe('invisible-box');
    expect(colorProblem(field({ borders: [border, border, border, border].map((b) => ({ ...b, color: 'rgb(255, 255, 255)' })) }))).toBe('invisible-box');
    // An underline alone is enough to see the field.
    expect(colorProblem(field({ background: 'transparent', borders: [none, none, border, none] }))).toBeNull();
    expect(colorProblem(field({ borders: [none, none, none, none], boxShadow: 'rgb(0, 0, 0) 0px 0px 0px 1px' }))).toBeNull();
  });
  it('over a background image only the text itself is judged', () => {
    expect(colorProblem(field({ behind: null, background: 'transparent', borders: [] }))).toBeNull();
    expect(colorProblem(field({ behind: null, color: 'rgba(0, 0, 0, 0.1)' }))).toBe('invisible-text');
  });
});

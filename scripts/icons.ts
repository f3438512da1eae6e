/**
 * Draws Keyfob's icon (a white key on the popup's accent blue) at the sizes the toolbar and the stores use,
 * into extension/public/icon/SIZE.png, where WXT finds them for the manifest. Shapes are signed distances,
 * so every size is drawn from the same geometry and antialiased, not scaled from one bitmap.
 *
 *   npm run icons
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const ICON_SIZES = [16, 32, 48, 96, 128] as const;

const ACCENT = [0x2f, 0x6f, 0xed] as const;
const WHITE = [0xff, 0xff, 0xff] as const;

/** Distance from (x, y) to a rounded box centred at (cx, cy) with half sizes (hw, hh) and corner radius r. */
function roundedBox(x: number, y: number, cx: number, cy: number, hw: number, hh: number, r: number): number {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

const circle = (x: number, y: number, cx: number, cy: number, r: number) => Math.hypot(x - cx, y - cy) - r;

/** The key, on a unit square: a ring for the bow, a shaft, two teeth. Negative inside. */
function key(x: number, y: number): number {
  const ring = Math.max(circle(x, y, 0.33, 0.5, 0.19), -circle(x, y, 0.33, 0.5, 0.085));
  const shaft = roundedBox(x, y, 0.64, 0.5, 0.2, 0.055, 0.02);
  const tooth1 = roundedBox(x, y, 0.76, 0.6, 0.04, 0.07, 0.015);
  const tooth2 = roundedBox(x, y, 0.63, 0.59, 0.035, 0.05, 0.015);
  return Math.min(ring, shaft, tooth1, tooth2);
}

/** RGBA pixels of the icon at this size, four samples a pixel each way. */
export function drawIcon(size: number): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let glyph = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          if (roundedBox(x, y, 0.5, 0.5, 0.5, 0.5, 0.22) <= 0) {
            tile++;
            if (key(x, y) <= 0) glyph++;
          }
        }
      }
      const total = samples * samples;
      const alpha = tile / total;
      const white = tile ? glyph / tile : 0;
      const at = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) pixels[at + c] = Math.round((ACCENT[c] ?? 0) * (1 - white) + (WHITE[c] ?? 0) * white);
      pixels[at + 3] = Math.round(alpha * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A PNG file (8-bit RGBA, no filtering) of these pixels. */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rows.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', new Uint8Array())]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'extension', 'public', 'icon');
  mkdirSync(folder, { recursive: true });
  for (const size of ICON_SIZES) writeFileSync(join(folder, `${size}.png`), encodePng(size, drawIcon(size)));
  console.log(`icons written to ${folder}`);
}

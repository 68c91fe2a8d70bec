import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { SKRSContext2D } from '@napi-rs/canvas';

const FONT = 'ForgeMono';
const BOLD = 'ForgeMonoBold';
type Canvas = typeof import('@napi-rs/canvas');
let canvasModule: Promise<Canvas> | undefined;

/**
 * The native canvas (about 25 MB resident) loads on the first card, not at the service's start,
 * with DejaVu Sans Mono from the `dejavu-fonts-ttf` npm package: no system font needed.
 */
function loadCanvas(): Promise<Canvas> {
  canvasModule ??= import('@napi-rs/canvas').then((mod) => {
    const require = createRequire(import.meta.url);
    mod.GlobalFonts.registerFromPath(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf'), FONT);
    mod.GlobalFonts.registerFromPath(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansMono-Bold.ttf'), BOLD);
    return mod;
  });
  return canvasModule;
}

export interface TerminalCardOptions {
  /** The window title, e.g. `forge — routing`. */
  title: string;
  /** The command shown after the prompt. */
  command: string;
  /** The output lines; long lines wrap at the card's width. */
  body: string;
  theme: 'dark' | 'light';
  width: number;
}

export interface RenderedCard {
  png: Buffer;
  width: number;
  height: number;
  sha256: string;
  lines: number;
}

const THEMES = {
  dark: { bg: '#0d1117', bar: '#161b22', text: '#e6edf3', prompt: '#3fb950', dim: '#8b949e' },
  light: { bg: '#ffffff', bar: '#eaeef2', text: '#1f2328', prompt: '#1a7f37', dim: '#656d76' },
} as const;

const FONT_SIZE = 22;
const LINE = 32;
const PAD = 32;
const BAR = 44;
const MAX_LINES = 40;

const width = (s: string) => [...s].length;

/**
 * Wraps text to `columns` monospace cells: a line that fits is kept as it is (runs of spaces
 * align columns in a terminal), a longer one breaks at spaces, and a word longer than a line is cut.
 */
export function wrapLines(text: string, columns: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (width(paragraph) <= columns) {
      out.push(paragraph);
      continue;
    }
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      let rest = word;
      while (width(rest) > columns) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push([...rest].slice(0, columns).join(''));
        rest = [...rest].slice(columns).join('');
      }
      const candidate = line ? `${line} ${rest}` : rest;
      if (width(candidate) > columns) {
        out.push(line);
        line = rest;
      } else line = candidate;
    }
    out.push(line);
  }
  return out;
}

function dots(ctx: SKRSContext2D): void {
  for (const [i, color] of ['#ff5f56', '#ffbd2e', '#27c93f'].entries()) {
    ctx.beginPath();
    ctx.fillStyle = color;
    ctx.arc(PAD + i * 24, BAR / 2, 7, 0, Math.PI * 2);
    ctx.fill();
  }
}

/**
 * The seed's terminal screenshot for social media: a window bar with three dots and a title, a
 * prompt line with the command, and the output wrapped in monospace. Plain code, $0: the same
 * options always give the same PNG bytes (so the hash names the card).
 */
export async function renderTerminalCard(opts: TerminalCardOptions): Promise<RenderedCard> {
  const { createCanvas } = await loadCanvas();
  const theme = THEMES[opts.theme];
  const probe = createCanvas(10, 10).getContext('2d');
  probe.font = `${FONT_SIZE}px ${FONT}`;
  const cell = probe.measureText('M').width;
  const columns = Math.max(20, Math.floor((opts.width - PAD * 2) / cell));
  const wrapped = wrapLines(opts.body, columns);
  const lines = wrapped.length > MAX_LINES ? [...wrapped.slice(0, MAX_LINES - 1), '…'] : wrapped;
  const height = BAR + PAD + LINE * (lines.length + 1) + PAD;
  const canvas = createCanvas(opts.width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, opts.width, height);
  ctx.fillStyle = theme.bar;
  ctx.fillRect(0, 0, opts.width, BAR);
  dots(ctx);
  ctx.textBaseline = 'middle';
  ctx.font = `${FONT_SIZE - 4}px ${FONT}`;
  ctx.fillStyle = theme.dim;
  ctx.textAlign = 'center';
  ctx.fillText(opts.title, opts.width / 2, BAR / 2);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  let y = BAR + PAD + FONT_SIZE;
  ctx.font = `${FONT_SIZE}px ${BOLD}`;
  ctx.fillStyle = theme.prompt;
  ctx.fillText('$', PAD, y);
  ctx.fillStyle = theme.text;
  ctx.fillText(opts.command, PAD + cell * 2, y);
  ctx.font = `${FONT_SIZE}px ${FONT}`;
  for (const line of lines) {
    y += LINE;
    ctx.fillText(line, PAD, y);
  }
  const png = canvas.toBuffer('image/png');
  return {
    png,
    width: opts.width,
    height,
    sha256: createHash('sha256').update(png).digest('hex'),
    lines: lines.length,
  };
}

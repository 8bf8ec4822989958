import { formatCount, formatCountChange, formatMultiplier, formatPercentChange, MINUS } from '@headroom/plan';

/** Align columns for a terminal; numbers right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => NUMERIC_CELL.test(r[i] ?? '')));
  const line = (cells: readonly string[]) =>
    indent + cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string {
  const escape = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${header.map(escape).join(' | ')} |`,
    `| ${header.map((_, i) => (rightAligned.includes(i) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ].join('\n');
}

// The one set of number formats every renderer uses. They come from @headroom/plan because its
// risk messages carry numbers too, and a PR comment must write each number one way.

/** A value that is not there (an unset limit, a target before it existed). */
export const MISSING = '—';

/** `60,000`; `—` when absent. */
export const num = (n: number | undefined): string => (n === undefined ? MISSING : formatCount(n));
/** `+20,000`, `−10,000`. */
export const signed = formatCountChange;
/** `2.78x`. */
export const times = formatMultiplier;
/** `+33.3%`, `−16.7%`, `0.0%`, `new`. */
export const percentChange = formatPercentChange;

const NUMERIC_CELL = new RegExp(`^[\\d,.x%+ ${MISSING}${MINUS}-]*$`);

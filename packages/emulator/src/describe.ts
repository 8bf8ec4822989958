import type { Emulator } from './emulator';

/** The target list `headroom emulate` prints: one line per target, then the admin endpoint. */
export function describeTargets(emulator: Pick<Emulator, 'targets' | 'adminUrl'>): string {
  const rows = Object.values(emulator.targets).map((t) => [t.key, t.provider, t.region, `${t.baseUrl}${t.endpoint.path}`]);
  const header = ['TARGET', 'PROVIDER', 'REGION', 'URL'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return [line(header), ...rows.map(line), '', `admin: ${emulator.adminUrl}/stats (GET), ${emulator.adminUrl}/faults (PUT)`].join('\n');
}

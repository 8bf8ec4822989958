import { ManualClock } from './clock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultBook, FaultsFileError, loadFaultsFile, parseFaultsFile, UnknownFaultTargetError } from './faults';

describe('parseFaultsFile', () => {
  it('parses faults per target with defaults', () => {
    const faults = parseFaultsFile(JSON.stringify({ faults: { 'gpt/openai': [{ kind: 'slow' }, { kind: 'error', status: 503, times: 2 }] } }));
    expect(faults['gpt/openai']).toEqual([{ kind: 'slow', factor: 10 }, { kind: 'error', status: 503, times: 2 }]);
  });

  it('lists every problem with its path', () => {
    const text = JSON.stringify({ faults: { a: [{ kind: 'error', status: 418 }, { kind: 'melt' }] } });
    expect(() => parseFaultsFile(text, 'f.json')).toThrow(FaultsFileError);
    try {
      parseFaultsFile(text, 'f.json');
    } catch (error) {
      expect((error as FaultsFileError).problems).toHaveLength(2);
      expect((error as FaultsFileError).message).toMatch(/^f\.json: invalid faults file/);
    }
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseFaultsFile('{', 'x.json')).toThrow(/x\.json: invalid faults file:\n {2}- not JSON/);
  });
});

describe('loadFaultsFile', () => {
  it('reads a file from disk and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-faults-'));
    const file = join(dir, 'faults.json');
    writeFileSync(file, JSON.stringify({ faults: { 'a/b': [{ kind: 'dark', durationMs: 5000 }] } }));
    expect(loadFaultsFile(file)).toEqual({ 'a/b': [{ kind: 'dark', durationMs: 5000 }] });
    expect(() => loadFaultsFile(join(dir, 'missing.json'))).toThrow(/missing\.json: invalid faults file:\n {2}- cannot read/);
  });
});

describe('FaultBook', () => {
  it('applies a fault only inside its window and only `times` times', () => {
    const clock = new ManualClock();
    const book = new FaultBook(clock, clock.now(), ['f/t']);
    book.set({ 'f/t': [{ kind: 'dark', startMs: 1000, durationMs: 500 }, { kind: 'reset', times: 1 }] });
    expect(book.take('f/t', ['dark'])).toBeUndefined();
    clock.advance(1000);
    expect(book.take('f/t', ['dark'])).toEqual({ kind: 'dark', startMs: 1000, durationMs: 500 });
    clock.advance(500);
    expect(book.take('f/t', ['dark'])).toBeUndefined();
    expect(book.take('f/t', ['reset', 'timeout'])).toEqual({ kind: 'reset', times: 1 });
    expect(book.take('f/t', ['reset', 'timeout'])).toBeUndefined();
  });

  it('refuses faults for targets the plan does not have', () => {
    const book = new FaultBook(new ManualClock(), 0, ['f/t']);
    expect(() => book.set({ 'f/x': [{ kind: 'reset' }] })).toThrow(UnknownFaultTargetError);
  });
});

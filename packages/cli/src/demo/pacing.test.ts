import { LAG_TOLERANCE_MS, SchedulePacer } from './pacing';

describe('SchedulePacer', () => {
  it('leaves an on-time run alone: nothing excluded, reliable', () => {
    const pacer = new SchedulePacer(1_000, 60, 'real');
    for (let at = 0; at < 600_000; at += 1_000) expect(pacer.sent(at, pacer.dueAt(at) + 200)).toBeUndefined();
    expect(pacer.report(600_000)).toMatchObject({ lateSends: 0, excludedMs: 0, reliable: true, maxLateMs: 200 });
  });

  it('pushes the rest of the schedule back by a late send and leaves that gap out of the offered time', () => {
    const pacer = new SchedulePacer(0, 60, 'real');
    pacer.sent(10_000, 10_000 + LAG_TOLERANCE_MS + 3_000);
    expect(pacer.dueAt(20_000)).toBe(20_000 + LAG_TOLERANCE_MS + 3_000);
    expect(pacer.offeredMs(30_000 + LAG_TOLERANCE_MS + 3_000)).toBe(30_000);
    const report = pacer.report(600_000);
    expect(report).toMatchObject({ lateSends: 1, excludedMs: LAG_TOLERANCE_MS + 3_000, reliable: true });
  });

  it('halves the time scale when lag eats a fifth of an emulated minute, never below 1x', () => {
    const pacer = new SchedulePacer(0, 4, 'real');
    const scales: Array<number | undefined> = [];
    for (let at = 0; at < 10 * 60_000; at += 10_000) scales.push(pacer.sent(at, pacer.dueAt(at) + 7_000));
    expect(scales.filter((s) => s !== undefined)).toEqual([2, 1]);
    expect(pacer.report(600_000).slowdowns.map((s) => [s.from, s.to])).toEqual([[4, 2], [2, 1]]);
  });

  it('marks the run unreliable when excluded lag passes 5% of it', () => {
    const pacer = new SchedulePacer(0, 60, 'real');
    pacer.sent(0, 31_000);
    expect(pacer.report(600_000)).toMatchObject({ excludedShare: 31_000 / 600_000, reliable: false });
  });
});

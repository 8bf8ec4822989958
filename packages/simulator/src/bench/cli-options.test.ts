import { HELP, parseBenchArgs, reproduceCommand } from './cli-options';

describe('parseBenchArgs', () => {
  it('defaults: a full run, 8 seeds (the issue asks for at least 8), one job per CPU, real processes, no publish', () => {
    const parsed = parseBenchArgs([], 2);
    expect(parsed).toEqual({ kind: 'run', options: { mode: 'full', seeds: 8, jobs: 2, scenarios: [], strategies: [], real: true, publish: false, out: 'test/benchmark/results', argv: [] } });
  });

  it('--quick means 2 seeds unless told otherwise', () => {
    const quick = parseBenchArgs(['--quick'], 4);
    expect(quick.kind === 'run' && quick.options).toMatchObject({ mode: 'quick', seeds: 2, jobs: 4 });
    const more = parseBenchArgs(['--quick', '--seeds', '3'], 4);
    expect(more.kind === 'run' && more.options.seeds).toBe(3);
  });

  it('reads every option', () => {
    const parsed = parseBenchArgs(['--seeds=4', '--jobs', '1', '--scenarios', 'seed-3x30k, truth-us-east-half', '--strategies', 'headroom,oracle', '--no-real', '--publish', '--out', '/tmp/x'], 2);
    expect(parsed.kind === 'run' && parsed.options).toMatchObject({
      seeds: 4, jobs: 1, scenarios: ['seed-3x30k', 'truth-us-east-half'], strategies: ['headroom', 'oracle'], real: false, publish: true, out: '/tmp/x',
    });
  });

  it('--help wins over everything else', () => {
    expect(parseBenchArgs(['--seeds', '3', '--help'])).toEqual({ kind: 'help' });
    expect(parseBenchArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it('refuses unknown options, positionals and bad numbers with a message naming them', () => {
    const unknown = parseBenchArgs(['--fast']);
    expect(unknown.kind).toBe('error');
    expect(unknown.kind === 'error' && unknown.message).toContain('--fast');
    expect(parseBenchArgs(['full']).kind).toBe('error');
    for (const bad of [['--seeds', '0'], ['--seeds', 'two'], ['--jobs', '-1'], ['--seeds', '1.5']]) {
      const parsed = parseBenchArgs(bad);
      expect(parsed.kind === 'error' && parsed.message).toMatch(/--(seeds|jobs)/);
    }
    expect(parseBenchArgs(['--quick', '--publish']).kind).toBe('error');
  });

  it('the help names every option the parser accepts', () => {
    for (const option of ['--quick', '--seeds N', '--jobs N', '--scenarios a,b', '--strategies a,b', '--no-real', '--publish', '--out DIR', '--help']) expect(HELP).toContain(option);
  });
});

describe('reproduceCommand', () => {
  const full = { mode: 'full' as const, seeds: 8, strategies: [], real: true };
  it('names only what differs from the defaults', () => {
    expect(reproduceCommand(full, [], true)).toBe('npm run bench -- --publish');
    expect(reproduceCommand(full)).toBe('npm run bench');
    expect(reproduceCommand({ ...full, seeds: 12 }, ['truth-us-east-half'])).toBe('npm run bench -- --seeds 12 --scenarios truth-us-east-half --no-real');
    expect(reproduceCommand({ ...full, mode: 'quick' })).toBe('npm run bench:quick');
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlanFile } from './load';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'headroom-plan-'));

describe('loadPlanFile on a path that is not a plan file', () => {
  it('says a directory is a directory and names the headroom.yaml inside it', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'headroom.yaml'), 'version: 1\n');
    const result = loadPlanFile(dir);
    expect(result.ok).toBe(false);
    const [problem] = result.ok ? [] : result.problems;
    expect(problem).toMatchObject({ code: 'file/is-directory', message: 'the plan path is a directory, not a file', received: dir, fix: `pass the file inside it: ${join(dir, 'headroom.yaml')}` });
    expect(problem!.fix).not.toMatch(/permission/);
  });

  it('suggests the conventional file name for a directory without one', () => {
    const dir = emptyDir();
    mkdirSync(join(dir, 'infra'));
    const result = loadPlanFile(dir);
    expect(result.ok ? undefined : result.problems[0]).toMatchObject({ code: 'file/is-directory', fix: `pass the plan file itself, e.g. ${join(dir, 'headroom.yaml')}` });
  });

  it('tells a missing file apart from a directory', () => {
    const result = loadPlanFile(join(emptyDir(), 'missing.yaml'));
    expect(result.ok ? undefined : result.problems[0]).toMatchObject({ code: 'file/unreadable', message: 'cannot read the plan file (ENOENT)' });
  });
});

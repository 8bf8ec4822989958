import { ManualClock } from '../clock';
import { startEmulator, type Emulator } from '../emulator';
import { fidelityPlan } from './fidelity-plan';

/**
 * An emulator on a manual clock per test, closed after it. Each test holds its own clients, so a
 * test that times out cannot send its remaining calls through the next test's client.
 */
export function fidelityEmulatorPerTest(seed: number): (options?: { readonly rpm?: number }) => Promise<{ clock: ManualClock; emulator: Emulator }> {
  const open: Emulator[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((emulator) => emulator.close()));
  });
  return async (options = {}) => {
    const clock = new ManualClock();
    const emulator = await startEmulator({ plan: fidelityPlan(options), clock, seed });
    open.push(emulator);
    return { clock, emulator };
  };
}

import OpenAI from 'openai';
import { ScaledClock } from './clock';
import { startEmulator } from './emulator';
import { FIDELITY_TARGETS, fidelityPlan } from './testing/fidelity-plan';

describe('a compressed clock', () => {
  it('at 60x, a quota minute comes back after one (injected) real second', async () => {
    let realMs = 0;
    const emulator = await startEmulator({ plan: fidelityPlan(), clock: new ScaledClock(60, () => realMs, Date.UTC(2026, 0, 1)) });
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: `${emulator.targets[FIDELITY_TARGETS.openai]!.baseUrl}/v1`, maxRetries: 0 });
      const request = { model: 'gpt-5.1', max_completion_tokens: 60_000, messages: [{ role: 'user' as const, content: 'all of it' }] };
      await client.chat.completions.create(request);
      await expect(client.chat.completions.create(request)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
      realMs += 500;
      await expect(client.chat.completions.create(request)).rejects.toBeInstanceOf(OpenAI.RateLimitError);
      realMs += 500;
      await expect(client.chat.completions.create(request)).resolves.toMatchObject({ object: 'chat.completion' });
    } finally {
      await emulator.close();
    }
  });
});

import { StaticSecretSource } from '../providers';
import { RouterTelemetry } from '../telemetry';
import { startHarness } from './harness';

const UPSTREAM_CANARY = 'sk-ant-upstream-canary-51c0ffee';
const CLIENT_CANARY = 'sk-client-canary-d00d';

describe('secrets', () => {
  it('the upstream key reaches only the upstream; the client key reaches nothing; neither is logged or answered', async () => {
    const secrets = new StaticSecretSource({ 'support-bot/anthropic-api-key': UPSTREAM_CANARY, 'support-bot/openai-api-key': UPSTREAM_CANARY });
    const logged: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { logged.push(String(chunk)); return true; });
    const h = await startHarness(undefined, { secrets, telemetry: new RouterTelemetry() });
    const answers: string[] = [];
    try {
      // Pinned to the direct APIs, the only targets that use an API key.
      h.emulator.setFaults({ 'claude/bedrock-us-east-1': [{ kind: 'dark' }], 'claude/bedrock-eu-west-1': [{ kind: 'dark' }], 'claude/vertex-europe-west1': [{ kind: 'dark' }] });
      for (const [path, body] of [
        ['/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }],
        ['/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] }],
        ['/v1/chat/completions', { model: 'gpt-5.1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }],
        ['/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }], tools: 'not-a-list' }],
      ] as const) {
        const response = await fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_CANARY, authorization: `Bearer ${CLIENT_CANARY}` }, body: JSON.stringify(body) });
        answers.push(JSON.stringify([...response.headers]), await response.text());
      }
    } finally {
      spy.mockRestore();
      await h.close();
    }
    const upstream = JSON.stringify(h.upstreamRequests);
    expect(upstream).toContain(UPSTREAM_CANARY);
    expect(upstream).not.toContain(CLIENT_CANARY);
    for (const text of [...answers, ...logged, JSON.stringify(h.warnings)]) {
      expect(text).not.toContain(UPSTREAM_CANARY);
      expect(text).not.toContain(CLIENT_CANARY);
    }
    expect(logged.join('')).toContain('"rateLimitHeaders"');
  });
});

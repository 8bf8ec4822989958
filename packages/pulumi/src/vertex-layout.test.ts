import { catalog, vertexQuotaPreferenceId } from '@headroom/plan';
import { vertexPreferenceId, vertexPreferenceSegment } from './vertex-names';
import { examplePlan, multiDeploymentPlan, reversedKeys } from './plans.test.fixture';
import { vertexLayout } from './vertex-layout';

describe('vertexLayout', () => {
  it('files one preference per region x model x limit with the plan values', () => {
    const plan = examplePlan();
    const { preferences, advisory, alerts } = vertexLayout(plan);
    expect(preferences.map((p) => [p.key, p.preferenceId, p.preferredValue])).toEqual([
      ['claude-sonnet/vertex-europe-west1/rpm', 'support-bot-claude-sonnet--vertex-europe-west1-rpm', 1000],
      ['claude-sonnet/vertex-europe-west1/itpm', 'support-bot-claude-sonnet--vertex-europe-west1-itpm', 30000],
      ['claude-sonnet/vertex-europe-west1/otpm', 'support-bot-claude-sonnet--vertex-europe-west1-otpm', 8000],
      ['claude-sonnet/vertex-us-east5/rpm', 'support-bot-claude-sonnet--vertex-us-east5-rpm', 1000],
      ['claude-sonnet/vertex-us-east5/itpm', 'support-bot-claude-sonnet--vertex-us-east5-itpm', 30000],
      ['claude-sonnet/vertex-us-east5/otpm', 'support-bot-claude-sonnet--vertex-us-east5-otpm', 8000],
    ]);
    for (const p of preferences) {
      expect(p.quotaId).toBe(catalog.VERTEX_QUOTA_IDS.regional[p.limit]);
      expect(p.dimensions).toEqual({ region: p.region, base_model: 'anthropic-claude-sonnet-4-6' });
    }
    expect(advisory).toEqual([]);
    expect(alerts).toEqual([
      { region: 'europe-west1', displayName: 'support-bot-vertex-europe-west1-throttles', ratio: 0.01 },
      { region: 'us-east5', displayName: 'support-bot-vertex-us-east5-throttles', ratio: 0.01 },
    ]);
  });

  it('lets a target override quota ids, uses base_model alone on the global endpoint, and files nothing for Gemini', () => {
    const { preferences, advisory, alerts } = vertexLayout(multiDeploymentPlan());
    const global = preferences.filter((p) => p.region === 'global');
    expect(global.map((p) => [p.limit, p.quotaId])).toEqual([
      ['rpm', 'CustomRpmQuotaId'],
      ['itpm', catalog.VERTEX_QUOTA_IDS.global.itpm],
      ['otpm', catalog.VERTEX_QUOTA_IDS.global.otpm],
    ]);
    expect(global[0]!.dimensions).toEqual({ base_model: 'anthropic-claude-sonnet-4-6' });
    expect(preferences.some((p) => p.targets.includes('gemini/vertex-europe-west1'))).toBe(false);
    expect(advisory).toEqual([{ key: 'gemini/vertex-europe-west1', region: 'europe-west1', model: 'gemini-2.5-pro' }]);
    expect(alerts.map((a) => a.region)).toEqual(['europe-west1', 'global', 'us-east5']);
    expect(alerts[0]!.ratio).toBe(0.02);
  });

  it('is the same for the plan with keys in reverse order', () => {
    const plan = multiDeploymentPlan();
    expect(vertexLayout(reversedKeys(plan))).toEqual(vertexLayout(plan));
  });

  it("names a target's own quota exactly as the plan's vertexQuotaPreferenceId, and a shared quota <plan>--<name>-<limit>", () => {
    const plan = { name: 'acme' };
    const own = vertexPreferenceSegment({ id: 'chat/vertex', shared: false }, { familyId: 'chat', targetId: 'vertex' });
    expect(vertexPreferenceId(plan, own, 'rpm')).toBe(vertexQuotaPreferenceId(plan, 'chat', 'vertex', 'rpm'));
    expect(vertexPreferenceId(plan, vertexPreferenceSegment({ id: 'chat--vertex', shared: true }, { familyId: 'chat', targetId: 'vertex' }), 'rpm')).toBe('acme--chat--vertex-rpm');
  });
});

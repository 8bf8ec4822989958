import { jsonDepthExceeding, MAX_JSON_DEPTH } from './json-depth';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('jsonDepthExceeding', () => {
  it('measures array and object nesting', () => {
    expect(jsonDepthExceeding('1', 10)).toBe(0);
    expect(jsonDepthExceeding('{"a":[{"b":[]}]}', 10)).toBe(4);
    expect(jsonDepthExceeding(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeding(JSON.stringify({ text: '[[[[{{{{' }), 2)).toBe(1);
    expect(jsonDepthExceeding(JSON.stringify({ text: 'say \\"[[[[\\" now', more: ['a'] }), 5)).toBe(2);
  });

  it('stops once past the limit, however deep the text goes', () => {
    expect(jsonDepthExceeding(nested(200_000), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
  });
});

import { InvalidEstimateError, InvalidOptionError, MissingLimitError, positiveOption, RouterCoreError, TicketError, UnknownFamilyError } from './errors';

describe('core errors', () => {
  it('carry structured data and name the value received', () => {
    const error = new MissingLimitError({ target: 'claude/bedrock', kind: 'tpm', received: undefined });
    expect(error).toBeInstanceOf(RouterCoreError);
    expect(error.name).toBe('MissingLimitError');
    expect(error.data).toEqual({ target: 'claude/bedrock', kind: 'tpm', received: undefined });
    expect(error.message).toContain('claude/bedrock enforces tpm but its limit is undefined');
    expect(new UnknownFamilyError({ family: 'x', known: ['a', 'b'] }).message).toContain('known families: a, b');
    expect(new TicketError({ ticket: '7', target: 't', problem: 'unknown-or-completed' }).message).toContain('ticket 7');
    expect(new InvalidEstimateError({ field: 'inputTokens', received: -1 }).message).toContain('received -1');
  });

  it('positiveOption accepts finite positives and rejects the rest with the value', () => {
    expect(positiveOption('slotMs', 5)).toBe(5);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => positiveOption('slotMs', bad)).toThrow(InvalidOptionError);
    }
    expect(() => positiveOption('slotMs', -3)).toThrow('option slotMs = -3 is invalid');
  });
});

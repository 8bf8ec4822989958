import * as core from './index';

describe('core index', () => {
  it('exports what the pipeline needs', () => {
    expect(typeof core.Router).toBe('function');
    expect(typeof core.InMemorySharedStore).toBe('function');
    expect(typeof core.seededRng).toBe('function');
    expect(typeof core.isFailoverTrigger).toBe('function');
    expect(core.powerOfTwoChoices.name).toBe('capacity-weighted-p2c');
    expect(typeof core.MissingLimitError).toBe('function');
  });
});

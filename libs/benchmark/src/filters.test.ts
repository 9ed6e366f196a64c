import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyFilters, regexExtract } from './index.js';

describe('filters', () => {
  const strict = /#### (\-?[0-9\.\,]+)/;
  const flexible = /(-?[$0-9.,]{2,})|(-?[0-9]+)/;

  it('regex: first match by default, its capture group, stripped', () => {
    assert.equal(regexExtract('x #### 1,000 and #### 7', strict, 0, '[invalid]'), '1,000');
    assert.equal(regexExtract('no answer', strict, 0, '[invalid]'), '[invalid]');
  });

  it('regex with group_select -1 takes the last match and its first non-empty group', () => {
    assert.equal(regexExtract('I had 3 apples, then $1,200.50 left.', flexible, -1, 'F'), '$1,200.50');
    assert.equal(regexExtract('so 5 then 7', flexible, -1, 'F'), '7'); // second alternative group
    assert.equal(regexExtract('nothing', flexible, -1, 'F'), 'F');
    assert.equal(regexExtract('1 2', flexible, 5, 'F'), 'F'); // index past the matches
  });

  it('regex without groups returns the whole match', () => {
    assert.equal(regexExtract('ab12cd', /[0-9]+/, 0, ''), '12');
  });

  it('runs steps in order: take_first, strip, lowercase, remove', () => {
    const out = applyFilters(
      {
        name: 'p',
        steps: [{ fn: 'take_first' }, { fn: 'strip' }, { fn: 'lowercase' }, { fn: 'remove', patterns: [/,/g, /\.$/g] }],
      },
      ['  Total: 1,000.  ', 'second'],
    );
    assert.deepEqual(out, ['total: 1000']);
  });
});

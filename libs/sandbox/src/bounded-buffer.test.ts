import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedBuffer } from './bounded-buffer.js';

describe('BoundedBuffer', () => {
  it('keeps the first maxBytes and flags truncation', () => {
    const b = new BoundedBuffer(5);
    b.push(Buffer.from('abc'));
    assert.equal(b.truncated, false);
    b.push(Buffer.from('defg'));
    b.push(Buffer.from('h'));
    assert.equal(b.text(), 'abcde');
    assert.equal(b.truncated, true);
  });
});

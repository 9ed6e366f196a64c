import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { databaseConfigFromEnv, decodeFloat32, encodeFloat32, Float32DecodeError, parseInt8, redact, schemaLockKey, UnsafeInt8Error } from './index.js';
import { Mutex } from './pglite/mutex.js';

describe('databaseConfigFromEnv', () => {
  it('DATABASE_URL selects postgres, otherwise pglite in the embedded directory', () => {
    assert.deepEqual(databaseConfigFromEnv({ DATABASE_URL: 'postgres://u@h:5432/db' }, '/data/db'), {
      kind: 'postgres',
      url: 'postgres://u@h:5432/db',
    });
    assert.deepEqual(databaseConfigFromEnv({}, '/data/db'), { kind: 'pglite', dataDir: '/data/db' });
    assert.deepEqual(databaseConfigFromEnv({ DATABASE_URL: '  ' }, '/data/db'), { kind: 'pglite', dataDir: '/data/db' });
    assert.deepEqual(databaseConfigFromEnv({ DATABASE_URL: 'postgresql://h/db', DATABASE_MAX_CONNECTIONS: '4' }, 'x'), {
      kind: 'postgres',
      url: 'postgresql://h/db',
      maxConnections: 4,
    });
  });

  it('names the bad variable and hides the password', () => {
    assert.throws(
      () => databaseConfigFromEnv({ DATABASE_URL: 'mysql://u:secret@h/db' }, 'x'),
      (err: Error) => {
        return /^DATABASE_URL: /.test(err.message) && !err.message.includes('secret') && err.message.includes('***');
      },
    );
    assert.throws(() => databaseConfigFromEnv({ DATABASE_URL: 'postgres://h/db', DATABASE_MAX_CONNECTIONS: '0' }, 'x'), /DATABASE_MAX_CONNECTIONS/);
    assert.throws(() => databaseConfigFromEnv({}, ''), /embeddedDir/);
    assert.equal(redact('postgres://user:pw@host/db'), 'postgres://user:***@host/db');
  });
});

describe('value conversions', () => {
  it('encodeFloat32 writes little-endian IEEE-754 (1.5 = 0x3fc00000, -2 = 0xc0000000)', () => {
    assert.deepEqual([...encodeFloat32(new Float32Array([1.5, -2]))], [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it('decodeFloat32 reads a view at any offset and rejects a partial value, naming it', () => {
    const bytes = new Uint8Array([9, 0x00, 0x00, 0xc0, 0x3f]).subarray(1);
    assert.deepEqual([...decodeFloat32(bytes)], [1.5]);
    assert.throws(
      () => decodeFloat32(new Uint8Array(6), 'routing row 7'),
      (err: Error) => {
        return err instanceof Float32DecodeError && /routing row 7: 6 bytes/.test(err.message);
      },
    );
  });

  it('parseInt8 accepts the safe range exactly', () => {
    assert.equal(parseInt8('9007199254740991'), Number.MAX_SAFE_INTEGER);
    assert.equal(parseInt8('-9007199254740991'), -Number.MAX_SAFE_INTEGER);
    assert.equal(parseInt8('0'), 0);
    assert.throws(() => parseInt8('9007199254740992'), UnsafeInt8Error);
    assert.throws(() => parseInt8('-9223372036854775808'), UnsafeInt8Error);
  });
});

describe('schemaLockKey', () => {
  it('is 32-bit FNV-1a as a signed int4 (reference values)', () => {
    // FNV-1a 32: "" = 0x811c9dc5, "a" = 0xe40c292c, "foobar" = 0xbf9cf968 (published test vectors).
    assert.equal(schemaLockKey(''), 0x811c9dc5 | 0);
    assert.equal(schemaLockKey('a'), 0xe40c292c | 0);
    assert.equal(schemaLockKey('foobar'), 0xbf9cf968 | 0);
    assert.notEqual(schemaLockKey('inference'), schemaLockKey('metrics'));
  });
});

describe('Mutex', () => {
  it('grants the lock in request order and only to one holder at a time', async () => {
    const m = new Mutex();
    const log: string[] = [];
    let holders = 0;
    const worker = async (name: string) => {
      await m.lock();
      holders++;
      assert.equal(holders, 1);
      log.push(name);
      await new Promise((r) => setTimeout(r, 5));
      holders--;
      m.unlock();
    };
    await Promise.all(['a', 'b', 'c', 'd'].map(worker));
    assert.deepEqual(log, ['a', 'b', 'c', 'd']);
    assert.throws(() => m.unlock(), /not locked/);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSandboxCommand, DEFAULT_LIMITS, resolveLimits, SandboxConfigError, type SandboxCommandConfig } from './index.js';

const base: SandboxCommandConfig = {
  bwrapPath: '/usr/bin/bwrap',
  setprivPath: '/usr/bin/setpriv',
  prlimitPath: '/usr/bin/prlimit',
  pythonPath: '/usr/bin/python3',
  system: [
    { kind: 'dir', path: '/usr' },
    { kind: 'symlink', path: '/bin', target: 'usr/bin' },
  ],
  etcFiles: ['/etc/ld.so.cache'],
  dropToHostUser: null,
  sandboxUid: 65534,
  sandboxGid: 65534,
};

/** Values following each occurrence of a flag that takes `arity` arguments. */
function flagArgs(argv: string[], flag: string, arity: number): string[][] {
  const out: string[][] = [];
  argv.forEach((a, i) => {
    if (a === flag) out.push(argv.slice(i + 1, i + 1 + arity));
  });
  return out;
}

describe('buildSandboxCommand', () => {
  it('isolates namespaces, dies with its parent and runs python in isolated mode on stdin', () => {
    const argv = buildSandboxCommand(base, DEFAULT_LIMITS, ['m1']);
    assert.equal(argv[0], '/usr/bin/bwrap');
    for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv']) {
      assert.ok(argv.includes(flag), `missing ${flag}`);
    }
    assert.deepEqual(argv.slice(-5), ['/usr/bin/python3', '-I', '-B', '-', 'm1']);
  });

  it('binds host paths only read-only and gives a size-capped tmpfs as the only writable place', () => {
    const argv = buildSandboxCommand(base, resolveLimits(DEFAULT_LIMITS, { tmpfsBytes: 12345 }));
    assert.ok(!argv.includes('--bind') && !argv.includes('--dev-bind'), 'no writable host bind');
    assert.deepEqual(flagArgs(argv, '--ro-bind', 2), [
      ['/usr', '/usr'],
      ['/etc/ld.so.cache', '/etc/ld.so.cache'],
    ]);
    assert.deepEqual(flagArgs(argv, '--symlink', 2), [['usr/bin', '/bin']]);
    const size = argv.indexOf('--size');
    assert.deepEqual(argv.slice(size, size + 4), ['--size', '12345', '--tmpfs', '/tmp']);
    assert.deepEqual(flagArgs(argv, '--remount-ro', 1), [['/dev'], ['/']]);
  });

  it('passes exactly PATH, HOME and LANG into the sandbox', () => {
    const argv = buildSandboxCommand(base, DEFAULT_LIMITS);
    assert.deepEqual(
      flagArgs(argv, '--setenv', 2).map(([k]) => k),
      ['PATH', 'HOME', 'LANG'],
    );
  });

  it('applies every rlimit through prlimit before python', () => {
    const limits = resolveLimits(DEFAULT_LIMITS, {
      cpuSeconds: 3,
      memoryBytes: 1000,
      maxProcesses: 7,
      maxFileBytes: 99,
      maxOpenFiles: 33,
    });
    const argv = buildSandboxCommand(base, limits);
    const p = argv.indexOf('/usr/bin/prlimit');
    assert.deepEqual(argv.slice(p, argv.indexOf('/usr/bin/python3')), ['/usr/bin/prlimit', '--cpu=3', '--as=1000', '--nproc=7', '--fsize=99', '--nofile=33', '--core=0', '--']);
  });

  it('drops to an unprivileged host uid through setpriv when configured (service running as root)', () => {
    const argv = buildSandboxCommand({ ...base, dropToHostUser: { uid: 4242, gid: 4343 } }, DEFAULT_LIMITS);
    assert.deepEqual(argv.slice(0, 8), ['/usr/bin/setpriv', '--reuid=4242', '--regid=4343', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--', '/usr/bin/bwrap']);
  });
});

describe('resolveLimits', () => {
  it('rejects non-positive or fractional limits naming the field', () => {
    assert.throws(
      () => resolveLimits(DEFAULT_LIMITS, { cpuSeconds: 0 }),
      (e: unknown) => {
        assert.ok(e instanceof SandboxConfigError);
        assert.equal(e.field, 'limits.cpuSeconds');
        return true;
      },
    );
    assert.throws(() => resolveLimits(DEFAULT_LIMITS, { memoryBytes: 1.5 }), /limits\.memoryBytes/);
  });

  it('keeps defaults for omitted fields', () => {
    assert.deepEqual(resolveLimits(DEFAULT_LIMITS, { cpuSeconds: undefined }), DEFAULT_LIMITS);
  });
});

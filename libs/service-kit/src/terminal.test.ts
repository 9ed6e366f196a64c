// The human log format and the status line, on a fake terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogLine, LiveLine } from './terminal.js';

test('a pino line reads as time, level, service, message and fields', () => {
  const line = formatLogLine(
    JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1, 12, 3, 4), pid: 1, hostname: 'h', name: 'inference', msg: 'capture failed', jobId: 'j1', err: 'no such file' }),
  );
  assert.match(line, /^\d\d:\d\d:\d\d {2}WARN {3}inference {2}capture failed {2}jobId=j1 {2}err="no such file"$/);
  assert.equal(formatLogLine('not json\n'), 'not json');
});

test('the status line is rewritten in place and log lines print above it', () => {
  let written = '';
  const live = new LiveLine({ write: (s: string) => ((written += s), true), columns: 80 });
  live.set('[demo] capture 1/10');
  live.print('12:00:00  WARN   x');
  live.set('[demo] capture 2/10');
  live.end('[demo] complete');
  assert.equal(written, '\r\x1b[2K[demo] capture 1/10' + '\r\x1b[2K12:00:00  WARN   x\n[demo] capture 1/10' + '\r\x1b[2K[demo] capture 2/10' + '\r\x1b[2K[demo] complete\n');
});

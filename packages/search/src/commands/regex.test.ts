import { describe, expect, it } from 'vitest';
import { runSpl } from '../testing.js';

const ev = [
  { _time: 1, _raw: 'GET /a.php', proc: 'powershell.exe' },
  { _time: 2, _raw: 'POST /b', proc: 'cmd.exe' },
  { _time: 3, _raw: 'x' },
];
const times = async (spl: string) => (await runSpl(spl, ev)).rows.map((r) => r._time);

describe('regex', () => {
  it('field=re keeps matching rows (unanchored PCRE search); a missing field does not match', async () => {
    expect(await times('* | regex proc="(?i)POWERSHELL"')).toEqual(['1']);
  });
  it('field!=re keeps the rest, including rows without the field', async () => {
    expect(await times('* | regex proc!="^power"')).toEqual(['2', '3']);
  });
  it('a bare regex matches _raw', async () => {
    expect(await times('* | regex "\\.php$"')).toEqual(['1']);
  });
});

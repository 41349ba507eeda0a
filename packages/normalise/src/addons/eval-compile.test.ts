import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath } from '@dac/assets';
import { evaluateEval, SUPPORTED_EVAL_FUNCTIONS, type EvalExpr } from '@dac/spl';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileEval,
  compileEvalExpr,
  EvalInputs,
  memoizeEval,
  memoizeEvalIn,
  parseEvalText,
  type EvalInput,
} from './eval-compile.js';
import { SPLUNK_ADDONS } from './tables/index.js';

/** Every eval expression the engine compiles: add-on EVALs and CIM Eval calculations. */
function allExpressions(): { at: string; expr: string }[] {
  const out: { at: string; expr: string }[] = [];
  for (const s of SPLUNK_ADDONS.stanzas)
    for (const op of s.ops) if (op.kind === 'eval') out.push({ at: op.at, expr: op.expr });
  const dir = assetPath('dataModels');
  if (dir)
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        objects?: { objectName: string; calculations?: { calculationType?: string; expression?: string }[] }[];
      };
      for (const o of j.objects ?? [])
        for (const c of o.calculations ?? [])
          if (c.calculationType === 'Eval' && c.expression)
            out.push({ at: `${f} ${o.objectName}`, expr: c.expression });
    }
  return out;
}

function functionsOf(e: EvalExpr, acc = new Set<string>()): Set<string> {
  if (e.kind === 'call') {
    acc.add(e.fn);
    for (const a of e.args) functionsOf(a, acc);
  } else if (e.kind === 'binary') {
    functionsOf(e.left, acc);
    functionsOf(e.right, acc);
  } else if (e.kind === 'unary') functionsOf(e.arg, acc);
  else if (e.kind === 'in') {
    functionsOf(e.arg, acc);
    for (const v of e.values) functionsOf(v, acc);
  }
  return acc;
}

const VALUES = [
  '',
  '-',
  '0',
  '1',
  '3',
  '13',
  '4688',
  '4696',
  '1.50',
  ' 7 ',
  'abc',
  'ABC',
  'true',
  'True',
  'File',
  'CreateKey',
  'SetValue',
  'DWORD (0x00000001)',
  'Binary Data',
  '0x8020000000000000',
  'C:\\Windows\\System32\\cmd.exe',
  'C:\\Program Files\\x y\\a.b.exe',
  '"C:\\a b\\c.exe" -x /y',
  'cmd.exe /c whoami',
  'HKLM\\System\\CurrentControlSet\\Services\\x\\Start',
  'hku\\S-1-5-21\\x',
  '/usr/bin/sudo',
  'a@b.com',
  'http://x.example.com/p?q=1',
  '10.0.0.1',
];
const value = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(...VALUES),
  fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
  fc.string({ maxLength: 6 }),
);

function reference(expr: EvalExpr, row: EvalInput): unknown {
  const r = evaluateEval(expr, row);
  return r.ok ? r.value : null;
}

describe('compiled eval closures (differential against the @dac/spl interpreter)', () => {
  const exprs = allExpressions();

  it('every table and CIM expression parses', () => {
    const bad = exprs.filter((e) => 'error' in compileEval(e.expr));
    expect(bad).toEqual([]);
    expect(exprs.length).toBeGreaterThan(200);
  });

  it('agree with evaluateEval on every table and CIM expression, for generated events', () => {
    let checked = 0;
    for (const { at, expr } of exprs) {
      const p = parseEvalText(expr);
      if ('error' in p) continue;
      // nullif / mvzip / strftime are compiled although the interpreter lacks them: unit-tested below.
      const fns = functionsOf(p.expr);
      if ([...fns].some((f) => !SUPPORTED_EVAL_FUNCTIONS.has(f))) continue;
      const c = compileEvalExpr(p.expr);
      const reads = c.reads;
      const row = fc.record(Object.fromEntries(reads.map((r) => [r, value])), { requiredKeys: [] });
      fc.assert(
        fc.property(row, (r) => {
          const clean = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as EvalInput;
          expect({ at, expr, value: c.fn(clean) }).toEqual({ at, expr, value: reference(p.expr, clean) });
        }),
        { numRuns: 25 },
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });

  // memoizeEval (EVAL steps, data-model calculations) remembers results by the values of the
  // fields read: along sequences of rows drawn from a small pool (so inputs repeat, in and out
  // of order), with long values (not looked up) and multivalues changed in place between calls,
  // the memoized closure returns what the plain one does on every row.
  it('memoizeEval agrees with the plain closure on every table and CIM expression along repeating rows', () => {
    const long = `C:\\Windows\\System32\\cmd.exe /c ${'x'.repeat(200)}`;
    const pooled = fc.oneof(fc.constantFrom(...VALUES.slice(0, 12), long, 4688, ''), fc.constant(undefined));
    let checked = 0;
    for (const { at, expr } of exprs) {
      const c = compileEval(expr);
      if ('error' in c || c.mode !== 'compiled') continue;
      const rowArb = fc.record(Object.fromEntries(c.reads.map((r) => [r, pooled])), { requiredKeys: [] });
      fc.assert(
        fc.property(fc.array(rowArb, { minLength: 1, maxLength: 8 }), fc.nat(7), (rows, mutateAt) => {
          const memo = memoizeEval(c.fn, c.reads);
          const shared = ['a', 'b'];
          for (const [i, r] of [...rows, ...rows].entries()) {
            const row = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as EvalInput;
            // One multivalue object reused across rows and changed in place.
            if (c.reads.length > 0 && i % 3 === 0) row[c.reads[0]] = shared;
            expect({ at, i, value: memo(row) }).toEqual({ at, i, value: c.fn(row) });
            if (i % 3 === mutateAt % 3) {
              // The same row again, its multivalue changed in place since the last call.
              shared.push('C:\\x\\y.exe');
              expect({ at, i, value: memo(row) }).toEqual({ at, i, value: c.fn(row) });
            }
          }
        }),
        { numRuns: 15 },
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });

  // memoizeEvalIn (the engine's EVAL steps): expressions of one stream share one EvalInputs,
  // whose values are observed once per snapshot (`begin`) and versioned. Groups of expressions
  // share it, as a stream's EVALs do, along sequences of rows drawn from a small pool (values
  // repeat, change type, go missing, come back), with a multivalue changed in place between
  // snapshots and every group member asked in a different order per row; each agrees with its
  // plain closure on every row.
  it('memoizeEvalIn (shared versioned inputs) agrees with the plain closures on every table and CIM expression', () => {
    const long = `C:\\Windows\\System32\\cmd.exe /c ${'x'.repeat(200)}`;
    const pooled = fc.oneof(
      fc.constantFrom(...VALUES.slice(0, 12), long, 4688, 0, Number.NaN, ''),
      fc.constant(undefined),
    );
    const compiled = exprs.flatMap(({ at, expr }) => {
      const c = compileEval(expr);
      return 'error' in c || c.mode !== 'compiled' ? [] : [{ at, c }];
    });
    expect(compiled.length).toBeGreaterThan(150);
    for (let g = 0; g < compiled.length; g += 12) {
      const group = compiled.slice(g, g + 12);
      const reads = [...new Set(group.flatMap(({ c }) => c.reads))];
      const rowArb = fc.record(Object.fromEntries(reads.map((r) => [r, pooled])), { requiredKeys: [] });
      fc.assert(
        fc.property(fc.array(rowArb, { minLength: 1, maxLength: 8 }), fc.nat(7), (rows, mutateAt) => {
          const inputs = new EvalInputs();
          const memos = group.map(({ c }) => memoizeEvalIn(inputs, c.fn, c.reads));
          const shared = ['a', 'b'];
          for (const [i, r] of [...rows, ...rows].entries()) {
            const row = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as EvalInput;
            if (reads.length > 0 && i % 3 === 0) row[reads[i % reads.length]] = shared;
            const order = group.map((_, k) => (k * (i + 1)) % group.length);
            const check = () => {
              inputs.begin();
              for (const k of new Set(order)) {
                const { at, c } = group[k];
                expect({ at, i, value: memos[k](row) }).toEqual({ at, i, value: c.fn(row) });
              }
            };
            check();
            if (i % 3 === mutateAt % 3) {
              shared.push('C:\\x\\y.exe');
              check();
            }
          }
        }),
        { numRuns: 10 },
      );
    }
  });

  // Comparisons and IN with literals remember the last left value's number per closure: over
  // runs of rows whose values repeat, change type (string, number, multivalue) and come back,
  // one closure agrees with the interpreter on every row.
  it('comparisons with a literal agree with evaluateEval along sequences of repeating values', () => {
    const exprs = [
      'EventCode==4688',
      'EventCode!="4688"',
      'EventCode<10',
      'EventCode>="abc"',
      'EventCode IN (1, "4688", 0x10, "a")',
    ];
    const v = fc.constantFrom<EvalInput[string]>(
      '4688',
      ' 4688 ',
      '4688.0',
      'abc',
      '1',
      '',
      4688,
      1,
      16,
      ['1', '4688'],
      true,
      false,
    );
    for (const expr of exprs) {
      const p = parseEvalText(expr);
      if ('error' in p) throw new Error(p.error);
      fc.assert(
        fc.property(fc.array(v, { minLength: 1, maxLength: 12 }), (values) => {
          const c = compileEvalExpr(p.expr);
          for (const x of values)
            expect({ expr, x, value: c.fn({ EventCode: x }) }).toEqual({
              expr,
              x,
              value: reference(p.expr, { EventCode: x }),
            });
        }),
        { numRuns: 200 },
      );
    }
  });
});

describe('functions the interpreter lacks (Splunk Search Reference semantics)', () => {
  const ev = (expr: string, row: EvalInput) => {
    const c = compileEval(expr);
    if ('error' in c) throw new Error(c.error);
    return c.fn(row);
  };
  it('nullif(X,Y) is null when X equals Y, else X (Windows add-on EVAL-dest_nt_domain)', () => {
    expect(ev('nullif(d,"-")', { d: '-' })).toBeNull();
    expect(ev('nullif(d,"-")', { d: 'CORP' })).toBe('CORP');
    expect(ev('nullif(d,"-")', {})).toBeNull();
  });
  it('mvzip(X,Y,"/") pairs values up to the shorter list (CIM Endpoint.Ports transport_dest_port)', () => {
    expect(ev('mvzip(t,p,"/")', { t: 'tcp', p: '443' })).toBe('tcp/443');
    expect(ev('mvzip(t,p,"/")', { t: ['tcp', 'udp'], p: ['443', '53', '9'] })).toEqual(['tcp/443', 'udp/53']);
    expect(ev('mvzip(t,p)', { t: 'tcp', p: '443' })).toBe('tcp,443');
  });
  it('a failing expression yields null (a calculated field that errors is unset)', () => {
    expect(ev('if("not a boolean", 1, 2)', {})).toBeNull();
    expect(ev('match(x, "(")', { x: 'a' })).toBeNull();
  });
  it('the Sysmon basename regex keeps case and strips up to the last backslash (TA-microsoft-sysmon 8.1.0)', () => {
    const base = 'replace(Image,"(.*\\\\\\)(?=.*(\\.\\w*)$|(\\w+)$)","")';
    expect(ev(base, { Image: 'C:\\Windows\\System32\\NGROK.EXE' })).toBe('NGROK.EXE');
    expect(ev(base, { Image: 'System' })).toBe('System');
  });
  it('the 4688 process rule: a path-less first token is replaced by NewProcessName (Splunk_TA_windows EVAL-process)', () => {
    const op = SPLUNK_ADDONS.stanzas
      .find((s) => 'source' in s.match && s.match.source === 'XmlWinEventLog:Security')!
      .ops.find((o) => o.kind === 'eval' && o.field === 'process');
    const expr = (op as { expr: string }).expr;
    const row = {
      EventCode: '4688',
      NewProcessName: 'C:\\Windows\\System32\\certutil.exe',
      Process_Command_Line: 'certutil -p x',
      process_command_line_process: 'certutil',
      process_command_line_arguments: '-p x',
    };
    expect(ev(expr, row)).toBe('C:\\Windows\\System32\\certutil.exe -p x');
    expect(ev(expr, { ...row, process_command_line_process: '"C:\\x\\certutil.exe"' })).toBe('certutil -p x');
    expect(ev(expr, { EventCode: '4688', NewProcessName: 'C:\\a b\\c.exe' })).toBe('C:\\a b\\c.exe');
  });
});

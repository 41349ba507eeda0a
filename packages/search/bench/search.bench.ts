// Search-engine throughput (rows/s, one core, CPU time of this process), every figure next to a
// floor measured in the same run:
//   floor            = bare iteration over the events, reading the fields the pipeline reads;
//   reader floor     = JSON.parse of each event's JSON line (what a JSON-lines reader costs at
//                      least), to show how the engine compares with reading the events at all;
//   typical pipeline = `* | stats count min(_time) max(_time) by a b | where count > 5` (the shape
//                      of most ESCU raw-event detections), through `run` over an array and over an
//                      async source (one await per event, as a file reader delivers them);
//   filter pipeline  = `EventCode=1 Image="*\\ngrok.exe" | eval … | stats …` (base search first);
//   design check     = the same no-op stages chained as async generators vs as push-based sinks
//                      (the engine's design), to show why stages push.
// Events are synthetic, generated in memory (hand-written shape of Sysmon EID 1 fields).
import { builtinMacros, parseSearch } from '@dac/spl';
import { collect, prepareSearch, type Event, type SearchPlan } from '@dac/search';

const N = Number(process.env.DAC_BENCH_EVENTS ?? 300_000);
const RUNS = 5;

function makeEvents(n: number): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      _time: 1_600_000_000 + i,
      _raw: `<Event><EventID>${i % 7 === 0 ? 1 : 3}</EventID></Event>`,
      host: `host${i % 50}`,
      EventCode: i % 7 === 0 ? '1' : '3',
      Image: i % 97 === 0 ? 'C:\\Users\\x\\ngrok.exe' : 'C:\\Windows\\System32\\svchost.exe',
      a: `user${i % 200}`,
      b: `dest${i % 13}`,
      x: String(i % 1000),
    });
  }
  return out;
}

async function cpuAsync<T>(f: () => Promise<T>): Promise<{ s: number; r: T }> {
  const t0 = process.cpuUsage();
  const r = await f();
  const u = process.cpuUsage(t0);
  return { s: (u.user + u.system) / 1e6, r };
}

async function best<T>(f: () => Promise<T>): Promise<{ s: number; r: T }> {
  let b = { s: Number.POSITIVE_INFINITY, r: undefined as T };
  for (let i = 0; i < RUNS; i++) {
    const x = await cpuAsync(f);
    if (x.s < b.s) b = x;
  }
  return b;
}

function plan(spl: string): SearchPlan {
  const p = parseSearch(spl, builtinMacros());
  const r = prepareSearch(p.pipeline, { now: 1_700_000_000 });
  if (!r.ok) throw new Error(r.notReplayable.reason);
  return r.plan;
}

async function* asyncSource(evs: readonly Event[]): AsyncGenerator<Event> {
  for (const e of evs) yield e;
}

const rate = (n: number, s: number) => `${(n / s / 1e6).toFixed(2)} M rows/s`;

const events = makeEvents(N);
console.log(`${N} synthetic events, best of ${RUNS} (CPU time)`);

// Floor: the bare iteration, reading the fields the typical pipeline reads.
const floor = await best(async () => {
  let k = 0;
  for (const e of events) if (e.a !== undefined && e.b !== undefined && e._time !== undefined) k++;
  return k;
});
console.log(`floor (bare iteration)            ${rate(N, floor.s)}`);

const lines = events.map((e) => JSON.stringify(e));
const reader = await best(async () => {
  let k = 0;
  for (const l of lines) if ((JSON.parse(l) as Event).a !== undefined) k++;
  return k;
});
console.log(`reader floor (JSON.parse a line)  ${rate(N, reader.s)}`);

const typical = plan('* | stats count min(_time) as firstTime max(_time) as lastTime by a b | where count > 5');
const t1 = await best(() => collect(typical, events));
console.log(
  `typical stats pipeline (array)    ${rate(N, t1.s)}  = ${(floor.s / t1.s).toFixed(3)}× the floor, ${(reader.s / t1.s).toFixed(1)}× the reader floor  (${t1.r.rows.length} rows)`,
);
const t2 = await best(() => collect(typical, () => asyncSource(events)));
console.log(`typical stats pipeline (async)    ${rate(N, t2.s)}  = ${(reader.s / t2.s).toFixed(1)}× the reader floor`);

const filter = plan(
  '`comment("sysmon-like base search")` EventCode=1 Image="*\\\\ngrok.exe" | eval process_name=lower(mvindex(split(Image, "\\\\"), -1)) | stats count min(_time) as firstTime by host process_name | where count > 0',
);
const t3 = await best(() => collect(filter, events));
console.log(
  `base search + eval + stats        ${rate(N, t3.s)}  = ${(reader.s / t3.s).toFixed(1)}× the reader floor  (${t3.r.rows.length} rows)`,
);

const evalHeavy = plan('* | eval y=x*2, z=if(y>500, "hi", "lo"), w=a . ":" . b | where z="hi" | stats count by w');
const t4 = await best(() => collect(evalHeavy, events));
console.log(`eval per row + where + stats      ${rate(N, t4.s)}  = ${(reader.s / t4.s).toFixed(1)}× the reader floor`);

// Design check: 5 pass-through stages + a counting sink, as async generators vs as push sinks.
const STAGES = 5;
type Row = Record<string, unknown>;
const asyncChain = await best(async () => {
  let src: AsyncIterable<Row> = asyncSource(events) as AsyncIterable<Row>;
  for (let i = 0; i < STAGES; i++) {
    const prev = src;
    src = (async function* () {
      for await (const r of prev) yield r;
    })();
  }
  let n = 0;
  for await (const _ of src) n++;
  return n;
});
const pushChain = await best(async () => {
  let n = 0;
  type Sink = { push(r: Row): void };
  let head: Sink = {
    push: () => {
      n++;
    },
  };
  for (let i = 0; i < STAGES; i++) {
    const next = head;
    head = { push: (r) => next.push(r) };
  }
  for await (const e of asyncSource(events)) head.push(e as Row);
  return n;
});
console.log(
  `design: ${STAGES} stages as async generators ${rate(N, asyncChain.s)} vs push sinks ${rate(N, pushChain.s)} (${(asyncChain.s / pushChain.s).toFixed(1)}× faster pushing)`,
);

// Issue 12 case 6: validation time of a YAML mapping with many keys (the duplicate-key check and
// the position lookups must be linear). Prints ms per size and the ratio of 20k to 10k keys
// (linear ≈ 2, quadratic ≈ 4). Sizes: `BENCH_KEYS=2500,5000` to override.
import { parseYamlText, positionOfPath } from '../src/index.js';

const sizes = (process.env.BENCH_KEYS ?? '10000,20000').split(',').map(Number);
const times: number[] = [];
for (const n of sizes) {
  // A detection-like document whose `tags` mapping has n keys, one duplicated at the end.
  const text = `name: x\ntags:\n${Array.from({ length: n }, (_, i) => `  k${i}: ${i}\n`).join('')}  k0: dup\n`;
  const t0 = performance.now();
  const file = parseYamlText(text, '/bench.yml', 'bench.yml', {
    yaml_file_bytes: 1 << 30,
    yaml_keys_per_mapping: n + 10,
  });
  const parseMs = performance.now() - t0;
  const t1 = performance.now();
  // One position lookup per key, as a rule reporting every key would do.
  for (let i = 0; i < n; i += 1) positionOfPath(file, ['tags', `k${i}`], 'key');
  const lookupMs = performance.now() - t1;
  times.push(parseMs + lookupMs);
  console.log(
    `yaml ${n} keys (${(text.length / 1024).toFixed(0)} KB): parse+duplicate check ${parseMs.toFixed(0)} ms, ${n} position lookups ${lookupMs.toFixed(0)} ms, ${file.diagnostics.length} diagnostic(s)`,
  );
}
if (times.length === 2)
  console.log(`ratio ${sizes[1]}/${sizes[0]} keys: ${(times[1]! / times[0]!).toFixed(2)} (linear ≈ 2)`);

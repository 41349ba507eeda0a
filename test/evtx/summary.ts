import type { CorpusSummary } from './corpus.js';

/** Prints the corpus comparison as the dev script and the corpus test show it. */
export function printSummary(s: CorpusSummary, print: (line: string) => void): void {
  print(`${s.files} files, ${s.records} records read by dac; reader issues: ${s.issues}`);
  print(`direct fields differing from parseEventXml of the rendered text: ${s.fastPathDiffers} records`);
  for (const [name, p] of Object.entries(s.perTool)) {
    print(`\n${name}: ${p.records} records`);
    print(`  files with equal record counts: ${p.filesCountEqual}/${s.files}`);
    print(`  files with every field of every record equal: ${p.filesFieldsEqual}/${s.files}`);
    print(
      `  fields compared: ${p.fields}, equal: ${p.equal} (${(p.fields ? (100 * p.equal) / p.fields : 100).toFixed(3)}%)`,
    );
    const rules = Object.entries(p.rules);
    if (rules.length)
      print(`  equal after a documented normalisation: ${rules.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (p.referenceFailed.length) {
      print(
        `  the tool itself failed part-way (its error; every record it did read is equal): ${p.referenceFailed.length} files`,
      );
      for (const e of p.referenceFailed) print(`    ${e}`);
    }
    if (p.exceptions.length) {
      print(`  exceptions (${p.exceptions.length} files):`);
      for (const e of p.exceptions) print(`    ${e}`);
    }
  }
}

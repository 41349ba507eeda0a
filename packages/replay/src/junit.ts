import { escapeXmlAttribute, escapeXmlText } from '@dac/escape';
import type { TestCaseResult } from './runner.js';

/** Attribute-value escaping (kept under its old name for callers; @dac/escape holds the rules). */
export function xmlEscape(s: string): string {
  return escapeXmlAttribute(s);
}

/** JUnit XML (the Jenkins/GitLab/GitHub-reporter dialect): one testcase per detection test. */
export function toJUnit(results: TestCaseResult[], suiteName = 'dac test'): string {
  const count = (s: TestCaseResult['status']) => results.filter((r) => r.status === s).length;
  const time = results.reduce((a, r) => a + r.seconds, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suiteName)}" tests="${results.length}" failures="${count('failed')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${xmlEscape(suiteName)}" tests="${results.length}" failures="${count('failed')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time.toFixed(3)}">`,
  ];
  for (const r of results) {
    const head = `    <testcase classname="${xmlEscape(r.file)}" name="${xmlEscape(`${r.detection} :: ${r.test}`)}" time="${r.seconds.toFixed(3)}"`;
    const detail = escapeXmlText(r.details.join('\n'));
    if (r.status === 'passed') lines.push(`${head}>`, `      <system-out>${detail}</system-out>`, '    </testcase>');
    else if (r.status === 'skipped')
      lines.push(`${head}>`, `      <skipped message="${xmlEscape(r.message ?? '')}"/>`, '    </testcase>');
    else {
      const tag = r.status === 'failed' ? 'failure' : 'error';
      lines.push(
        `${head}>`,
        `      <${tag} message="${xmlEscape(r.message ?? '')}">${detail}</${tag}>`,
        '    </testcase>',
      );
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

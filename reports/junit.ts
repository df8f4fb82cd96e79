import type { ScenarioCheck } from '../sim/run/check-scenario.js';

/** JUnit XML of a suite run, one test case per scenario, for CI systems that show test results. */
export function junitXml(checks: readonly ScenarioCheck[], suiteName = 'clustersim'): string {
  const failures = checks.filter((check) => check.verdict === 'fail').length;
  const errors = checks.filter((check) => check.verdict === 'error').length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const totalMs = checks.reduce((total, check) => total + check.wallMs, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escape(suiteName)}" tests="${checks.length}" failures="${failures}" errors="${errors}" time="${seconds(totalMs)}">`,
    `  <testsuite name="${escape(suiteName)}" tests="${checks.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(totalMs)}">`,
  ];
  for (const check of checks) {
    lines.push(`    <testcase classname="${escape(check.file)}" name="${escape(check.name)}" time="${seconds(check.wallMs)}">`);
    if (check.verdict === 'fail') {
      const reasons = [...check.failedExpectations.map((failed) => `expectation failed: ${failed.expectation}: ${failed.message}`), ...check.violations.map((line) => `violation: ${line}`)];
      if (check.violationCount > check.violations.length) reasons.push(`... ${check.violationCount - check.violations.length} more violations`);
      const headline = `${check.failedExpectations.length} expectation(s) failed, ${check.violationCount} violation(s)`;
      lines.push(`      <failure message="${escape(headline)}" type="clustersim.fail">${escape([...reasons, `reproduce: ${check.reproduce ?? ''}`].join('\n'))}</failure>`);
    } else if (check.verdict === 'error') {
      lines.push(`      <error message="${escape(firstLine(check.error ?? ''))}" type="clustersim.error">${escape(check.error ?? '')}</error>`);
    }
    if (check.reproduce !== undefined) lines.push(`      <system-out>${escape(`reproduce: ${check.reproduce}`)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function escape(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // Characters XML 1.0 does not allow at all.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

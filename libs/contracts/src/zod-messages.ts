import { z } from 'zod';

// Error wording every OneVoice caller sees: "data.intentKey: is required" rather than zod's
// "Invalid input: expected string, received undefined". Applies wherever contracts are loaded.
z.config({
  customError: (issue) => {
    if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
    if (issue.code === 'invalid_type')
      return `must be ${article(issue.expected)}, not ${describe(issue.input)}`;
    if (issue.code === 'invalid_value' && issue.values.length > 1) {
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return undefined;
  },
});

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return article(typeof input);
}

import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * A command's options, parsed strictly by Node's own parser (an unknown option, a missing value
 * or a stray argument stops it with the help), plus the checks every command needs.
 */
export function commandLine(
  command: string,
  help: string,
  options: NonNullable<ParseArgsConfig['options']>,
  argv = process.argv.slice(2),
) {
  const fail = (message: string): never => {
    process.stderr.write(`${command}: ${message}\n\n${help}\n`);
    process.exit(2);
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return fail((e as Error).message);
  }
  const text = (name: string) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  return {
    values,
    fail,
    text,
    /** An integer option of at least `min`, or `fallback` when absent. */
    int: (name: string, fallback: number, min: number) => {
      const v = text(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min)
        fail(`--${name} must be an integer ≥ ${min}, got "${v}"`);
      return n;
    },
    /** An ISO time option, in ms. */
    time: (name: string) => {
      const v = text(name);
      if (v === undefined) return undefined;
      const t = Date.parse(v);
      if (Number.isNaN(t)) fail(`--${name} must be an ISO time, got "${v}"`);
      return t;
    },
  };
}

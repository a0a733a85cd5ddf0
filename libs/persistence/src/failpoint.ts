/**
 * Fault injection for crash tests. `OV_FAILPOINT=<name>:<n>` kills the process, as a crash
 * would (SIGKILL: no clean-up, no flush), the n-th time the code passes the failpoint `name`.
 * Unset in production; nothing happens then.
 */
const spec = /^([\w.:-]+):(\d+)$/.exec(process.env.OV_FAILPOINT ?? '');
let hits = 0;

export function failpoint(name: string): void {
  if (!spec || spec[1] !== name) return;
  hits++;
  if (hits === Number(spec[2])) {
    process.stderr.write(`failpoint ${name} hit ${hits} time(s): killing the process\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}

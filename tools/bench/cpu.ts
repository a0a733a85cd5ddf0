/**
 * CPU time, from /proc (Linux; NaN elsewhere), for the benchmarks' per-message figures: on a
 * machine the service, Postgres, the broker and the benchmark share, the CPU a message costs all
 * of them together is what bounds a throughput.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name (which may contain spaces): utime,
 * stime, cutime and cstime are 11–14 of them.
 */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU time of the local Postgres server (every `postgres` process, and its ended children), from
 * /proc; NaN where there is none on this machine (a remote server, a container elsewhere).
 */
export function databaseCpuMs(): number {
  let total = 0;
  let found = false;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      // utime, stime, cutime, cstime: the server's own time and its ended backends'.
      total +=
        statFields(stat)
          .slice(11, 15)
          .reduce((a, f) => a + Number(f), 0) * 10;
      found = true;
    } catch {
      // The process ended while we looked.
    }
  }
  return found ? total : Number.NaN;
}

/** User + system CPU time of a process, from /proc (clock ticks of 10 ms). */
export function processCpuMs(pid: number | undefined): number {
  try {
    const fields = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Busy CPU time of the whole machine, every core and process (user, nice, system, irq and softirq
 * in /proc/stat; not what the hypervisor stole), in milliseconds; NaN where there is no /proc.
 */
export function machineCpuMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user + nice + system + irq + softirq) * 10;
  } catch {
    return Number.NaN;
  }
}

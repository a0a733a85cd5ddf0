/**
 * A small seeded random source (a 32-bit xorshift-multiply generator over a mixed seed): the
 * simulator draws every customer from (seed, their number, a salt), so a customer is the same
 * person whatever else is simulated, and a run is repeatable.
 */
export class Random {
  private state: number;

  constructor(...parts: number[]) {
    let h = 0x9e3779b9;
    for (const p of parts) h = mix(h ^ mix(p >>> 0) ^ mix(Math.floor(p / 2 ** 32)));
    this.state = h || 1;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    return (mix(this.state) >>> 0) / 2 ** 32;
  }

  between(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((a, [, w]) => a + w, 0);
    let x = this.next() * total;
    for (const [choice, w] of choices) {
      x -= w;
      if (x < 0) return choice;
    }
    return choices[choices.length - 1]![0];
  }

  /** How many of a thing that happens `mean` times on average (Knuth's method; small means). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

function mix(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) | 0;
}

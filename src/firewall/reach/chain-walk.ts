/**
 * Walking one base chain: rules in order with jump, goto and return, a drop
 * or reject final, the chain's policy at its end. A condition that cannot be
 * decided forks the walk: the main path takes it as not matching, and the
 * other branch is followed only to find a drop it could reach.
 */
import type { NftChain, NftTable, NftVerdict } from '../nft-ruleset';
import { all, type Packet, type Tri } from './packet';
import { condText, evalCond, stepsOf, type Step } from './steps';

/** Something assumed on a path to reach a drop. */
export interface Assumption {
  line: number;
  kind: 'match' | 'effect' | 'device';
  text: string;
}

export interface Drop {
  line: number;
  /** The rule that drops it; undefined for a policy. */
  rule: string | undefined;
  assumptions: Assumption[];
}

/** An accept on the main path that could not be relied on. */
export interface Skipped {
  line: number;
  conds: string[];
}

export interface Frame {
  chain: NftChain;
  index: number;
}

type Jump = Extract<NftVerdict, { kind: 'jump' | 'goto' }>;

/** Jumps nest at most this deep in the kernel. */
const MAX_JUMP_DEPTH = 16;
/** Steps over all paths of one chain before giving up. */
const STEP_BUDGET = 200_000;

/** A ruleset that reads well but cannot be followed (a missing chain, a loop, ...). */
export class CannotEvaluate extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export class ChainWalk {
  private readonly steps = new Map<NftChain, Step[]>();
  private budget = STEP_BUDGET;
  private readonly visited = new Set<string>();
  maybe: Drop | undefined;
  readonly skipped: Skipped[] = [];

  constructor(
    private readonly table: NftTable,
    private readonly base: NftChain,
    private readonly pkt: Packet,
  ) {}

  /**
   * Follows one path from the given stack. On the main path (`positive`
   * false) an undecidable condition is taken as not matching, and the other
   * branch is explored as a positive path, looking only for a drop.
   */
  run(stack: Frame[], positive: boolean, assumptions: Assumption[]): Drop | 'accept' {
    for (;;) {
      if (positive && this.maybe) return 'accept'; // one possible drop is all we report
      this.spend();
      const frame = stack[stack.length - 1];
      const steps = this.stepsOf(frame.chain);
      if (frame.index >= steps.length) {
        stack.pop();
        if (stack.length === 0) return this.policy(assumptions);
        continue;
      }
      const step = steps[frame.index++];
      const verdict = step.verdict;
      if (!verdict || verdict.kind === 'continue') continue;
      const results = step.conds.map((c) => evalCond(c, this.pkt, this.table));
      const matched = all(results);
      if (matched === 'no') continue;
      if (matched === 'unknown') {
        this.undecided(stack, step, verdict, results, positive, assumptions);
        continue;
      }
      const end = this.apply(stack, step, verdict, assumptions);
      if (end) return end;
    }
  }

  private spend(): void {
    if (--this.budget < 0) {
      throw new CannotEvaluate(
        this.base.line,
        `chain "${this.base.name}" has too many paths to check`,
      );
    }
  }

  private stepsOf(chain: NftChain): Step[] {
    let steps = this.steps.get(chain);
    if (!steps) {
      steps = chain.rules.flatMap((r) => stepsOf(r, this.table));
      this.steps.set(chain, steps);
    }
    return steps;
  }

  private policy(assumptions: Assumption[]): Drop | 'accept' {
    const base = this.base.base;
    if (!base || base.policy === 'accept') return 'accept';
    return { line: base.policyLine, rule: undefined, assumptions };
  }

  private recordMaybe(drop: Drop): void {
    if (!this.maybe) this.maybe = drop;
  }

  /** A step whose conditions cannot all be decided: its accept is not relied on, anything else forks. */
  private undecided(
    stack: Frame[],
    step: Step,
    verdict: NftVerdict,
    results: Tri[],
    positive: boolean,
    assumptions: Assumption[],
  ): void {
    const line = step.rule.line;
    const unknown = step.conds.filter((_, i) => results[i] === 'unknown').map(condText);
    if (verdict.kind === 'accept') {
      if (!positive) this.skipped.push({ line, conds: unknown });
      return;
    }
    const more = [
      ...assumptions,
      ...unknown.map((text) => ({ line, kind: 'match' as const, text })),
    ];
    this.fork(stack, step, verdict, more);
  }

  /** A step that matches for certain: where the path ends, or undefined when it goes on. */
  private apply(
    stack: Frame[],
    step: Step,
    verdict: NftVerdict,
    assumptions: Assumption[],
  ): Drop | 'accept' | undefined {
    switch (verdict.kind) {
      case 'accept':
        return 'accept';
      case 'drop':
      case 'reject':
        return { line: step.rule.line, rule: step.rule.text, assumptions };
      case 'other':
        this.fork(stack, step, verdict, assumptions);
        return undefined;
      case 'return':
        stack.pop();
        return stack.length === 0 ? this.policy(assumptions) : undefined;
      case 'jump':
      case 'goto':
        this.follow(stack, verdict, step.rule.line);
        return undefined;
      case 'continue':
        return undefined;
    }
  }

  /** Jump (push the target) or goto (replace the current chain with it). */
  private follow(stack: Frame[], verdict: Jump, line: number): void {
    if (verdict.kind === 'jump') {
      if (stack.length > MAX_JUMP_DEPTH)
        throw new CannotEvaluate(line, 'jumps nest too deep (a loop?)');
      stack.push({ chain: this.target(verdict.target, line), index: 0 });
    } else {
      stack[stack.length - 1] = { chain: this.target(verdict.target, line), index: 0 };
    }
  }

  private target(name: string, line: number): NftChain {
    const chain = this.table.chains.get(name);
    if (!chain) throw new CannotEvaluate(line, `there is no chain "${name}"`);
    return chain;
  }

  /** The branch where a step's verdict applies although it could not be decided. */
  private fork(stack: Frame[], step: Step, verdict: NftVerdict, assumptions: Assumption[]): void {
    if (this.maybe) return;
    const line = step.rule.line;
    const copy = stack.map((f) => ({ ...f }));
    switch (verdict.kind) {
      case 'accept':
      case 'continue':
        return;
      case 'drop':
      case 'reject':
        return this.recordMaybe({ line, rule: step.rule.text, assumptions });
      case 'other':
        return this.recordMaybe({
          line,
          rule: step.rule.text,
          assumptions: [...assumptions, { line, kind: 'effect', text: verdict.text }],
        });
      case 'return':
        copy.pop();
        if (copy.length === 0) {
          const end = this.policy(assumptions);
          if (end !== 'accept') this.recordMaybe(end);
          return;
        }
        break;
      case 'jump':
      case 'goto':
        this.follow(copy, verdict, line);
        break;
    }
    this.explore(copy, assumptions);
  }

  /** Follows a forked path once per place it starts from, recording the drop it reaches. */
  private explore(stack: Frame[], assumptions: Assumption[]): void {
    const key = stack.map((f) => `${f.chain.name}#${f.index}`).join('/');
    if (this.visited.has(key)) return;
    this.visited.add(key);
    const end = this.run(stack, true, assumptions);
    if (end !== 'accept') this.recordMaybe(end);
  }
}

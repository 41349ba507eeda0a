/**
 * prepareSearch: turns a parsed pipeline into an executable plan, or says — by command name and
 * position — why it cannot run offline. Every command module parses its own arguments here, so a
 * run never meets an argument error.
 */
import type { Command, Pipeline, Span } from '@dac/spl';
import type { CommandModule, PrepareContext, PrepareOptions } from './command.js';
import {
  type CommandPlan,
  type PipelinePlan,
  type PipelineSource,
  type PlanContext,
  type RunOptions,
  runPipeline,
  runPipelineBatch,
  runPipelineToEnd,
  type SubPlan,
} from './engine.js';
import { COMMANDS, LIVE_STATE_COMMANDS } from './registry.js';
import type { EventSource, Row, SearchDiagnostic, SearchDiagnosticCode } from './types.js';

export interface SearchPlan {
  readonly pipeline: PipelinePlan;
  readonly context: PlanContext;
  /** Command names in order (nested pipelines included), for reports. */
  readonly commands: readonly string[];
}

export interface NotReplayable {
  /** The command (lower-case name) that blocks the offline run. */
  command: string;
  /** Why, in one sentence (`not replayable: command iplocation needs …`). */
  reason: string;
  code: SearchDiagnosticCode;
  span: Span;
}

export type PrepareResult =
  | { ok: true; plan: SearchPlan; warnings: SearchDiagnostic[] }
  | { ok: false; notReplayable: NotReplayable; diagnostics: SearchDiagnostic[] };

const MODULES = new Map<string, CommandModule<Command>>();
for (const m of COMMANDS) for (const n of m.names) MODULES.set(n, m as CommandModule<Command>);

/** The command names the engine implements. */
export const IMPLEMENTED_COMMANDS: readonly string[] = [...MODULES.keys()].sort();

function nameOf(c: Command): string {
  return c.kind === 'command' ? c.name : c.kind;
}

class Preparer {
  readonly diagnostics: SearchDiagnostic[] = [];
  readonly names: string[] = [];
  constructor(readonly options: PrepareOptions) {}

  report(
    command: string,
    span: Span,
    message: string,
    code: SearchDiagnosticCode,
    severity: 'error' | 'warning' = 'error',
  ): void {
    this.diagnostics.push({ start: span.start, end: span.end, severity, code, command, message });
  }

  pipeline(p: Pipeline, source: PipelineSource | 'subsearch', depth: number): PipelinePlan | undefined {
    if (depth > 50) {
      this.report('search', p.span, 'not replayable: subsearches nested too deeply', 'not-replayable');
      return undefined;
    }
    const plans: CommandPlan[] = [];
    let ok = true;
    let actual: PipelineSource = source === 'subsearch' ? 'events' : source;
    p.commands.forEach((cmd, index) => {
      const name = nameOf(cmd);
      this.names.push(name);
      const span = cmd.spanOfCommand;
      const live = LIVE_STATE_COMMANDS[name];
      if (live) {
        this.report(name, span, `not replayable: command ${name} ${live}`, 'live-state');
        ok = false;
        return;
      }
      const mod = MODULES.get(name);
      if (!mod) {
        this.report(
          name,
          span,
          name === '' || name.startsWith('`')
            ? `not replayable: unexpanded macro or unnamed command "${name}"`
            : `not replayable: command ${name} is not implemented by the search engine`,
          'not-replayable',
        );
        ok = false;
        return;
      }
      if (index === 0 && source !== 'rows') {
        if (mod.generating) actual = 'generator';
        else if (cmd.kind === 'search') actual = 'events';
        else {
          this.report(name, span, `not replayable: a search cannot start with ${name}`, 'bad-arguments');
          ok = false;
          return;
        }
      } else if (mod.generating && !(name === 'inputlookup' || name === 'makeresults' || name === 'tstats')) {
        this.report(name, span, `${name} must be the first command of a search`, 'bad-arguments');
        ok = false;
        return;
      }
      const before = this.diagnostics.filter((d) => d.severity === 'error').length;
      const ctx: PrepareContext = {
        options: this.options,
        index,
        source: index === 0 ? (source === 'subsearch' ? 'events' : source) : actual,
        depth,
        error: (s, message, code = 'bad-arguments') => {
          this.report(name, s, message, code);
          return undefined;
        },
        warning: (s, message) => this.report(name, s, message, 'not-replayable', 'warning'),
        subsearch: (sp, s, maxout) => {
          const inner = this.pipeline(sp, 'subsearch', depth + 1);
          return inner ? { pipeline: inner, maxout, span: s } : undefined;
        },
        rowsPipeline: (sp) => this.pipeline(sp, 'rows', depth + 1),
        rowsPipelineLater: (sp) => {
          const later = new Preparer(this.options);
          const plan = later.pipeline(sp, 'rows', depth + 1);
          const err = later.diagnostics.find((d) => d.severity === 'error');
          return plan && !err ? plan : { error: err?.message ?? 'does not prepare' };
        },
      };
      let plan: CommandPlan | undefined;
      try {
        plan = mod.prepare(cmd, ctx);
      } catch (e) {
        // A module bug must not crash a validation or replay run.
        this.report(name, span, `internal error preparing ${name}: ${(e as Error).message}`, 'not-replayable');
      }
      const after = this.diagnostics.filter((d) => d.severity === 'error').length;
      if (!plan) {
        if (after === before)
          this.report(name, span, `not replayable: ${name} could not be prepared`, 'not-replayable');
        ok = false;
        return;
      }
      if (index > 0 && plan.generate && name !== 'inputlookup' && name !== 'makeresults') {
        // tstats append=t etc. are not modelled.
      }
      plans.push(plan);
    });
    if (!ok) return undefined;
    if (actual === 'events' && plans[0]?.name === 'search') {
      // Events are the caller's: copy each kept one unless no later stage can modify it.
      let copy = false;
      for (const c of plans.slice(1)) {
        if (c.rows === 'fresh') break;
        if (c.rows !== 'readonly') {
          copy = true;
          break;
        }
      }
      plans[0].copyEvents = copy;
    }
    if (plans.length === 0 && source !== 'rows') {
      this.report('search', p.span, 'empty search', 'bad-arguments');
      return undefined;
    }
    return { commands: plans, source: actual, span: p.span };
  }
}

/**
 * Prepares a parsed, macro-expanded pipeline (`parseSearch(...).pipeline`). Diagnostics carry
 * offsets into the expanded text (map them with `ParsedSearch.toOriginalSpan`).
 */
export function prepareSearch(pipeline: Pipeline, options: PrepareOptions = {}): PrepareResult {
  const p = new Preparer(options);
  const plan = p.pipeline(pipeline, 'subsearch', 0);
  const errors = p.diagnostics.filter((d) => d.severity === 'error');
  if (!plan || errors.length > 0) {
    const first = errors.sort((a, b) => a.start - b.start)[0] ?? {
      start: pipeline.span.start,
      end: pipeline.span.end,
      command: 'search',
      message: 'not replayable',
      code: 'not-replayable' as const,
    };
    return {
      ok: false,
      notReplayable: {
        command: first.command,
        reason: first.message,
        code: first.code,
        span: { start: first.start, end: first.end },
      },
      diagnostics: p.diagnostics,
    };
  }
  return {
    ok: true,
    plan: {
      pipeline: plan,
      context: {
        lookups: options.lookups,
        dataModels: options.dataModels,
        now: options.now,
        timeRange: options.timeRange,
      },
      commands: p.names,
    },
    warnings: p.diagnostics,
  };
}

/** Runs a prepared search over events, yielding result rows as they are produced. */
export function run(plan: SearchPlan, events: EventSource, options: RunOptions = {}): AsyncIterable<Row> {
  return runPipeline(plan.pipeline, plan.context, events, options);
}

/** Runs a prepared search to completion: all rows, and the warnings met on the way. */
export async function collect(
  plan: SearchPlan,
  events: EventSource,
  options: RunOptions = {},
): Promise<{ rows: Row[]; warnings: import('./types.js').RunWarning[] }> {
  const warnings: import('./types.js').RunWarning[] = [];
  const rows = await runPipelineToEnd(plan.pipeline, plan.context, events, {
    ...options,
    onWarning: (w) => {
      warnings.push(w);
      options.onWarning?.(w);
    },
  });
  return { rows, warnings };
}

/** The batch path (each command over the whole output of the previous one); same rows as `run`. */
export function runBatch(plan: SearchPlan, events: EventSource, options: RunOptions = {}): Promise<Row[]> {
  return runPipelineBatch(plan.pipeline, plan.context, events, options);
}

export type { SubPlan };

import { TemplateError } from '../core/errors';
import type { TemplateEngine } from '../render/template-engine';

/** Renders every string inside a task's arguments with the host's variables. */
export function renderArgs(
  args: unknown,
  vars: Record<string, unknown>,
  templates: TemplateEngine,
  label: string,
  host: string,
): unknown {
  if (typeof args === 'string') return templates.renderString(args, vars, label, host);
  if (Array.isArray(args))
    return args.map((a, i) => renderArgs(a, vars, templates, `${label}[${i}]`, host));
  if (args && typeof args === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args))
      out[k] = renderArgs(v, vars, templates, `${label}.${k}`, host);
    return out;
  }
  return args;
}

export { TemplateError };

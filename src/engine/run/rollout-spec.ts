import { z } from 'zod';
import { TemplateError } from '../../core/errors';
import type { Play } from '../../playbook/model';
import type { TemplateEngine } from '../../render/template-engine';
import { renderArgs } from '../task-args';

/**
 * A play's health gate for one host, rendered and checked: what a rolling
 * deploy waits for after each batch, and the load balancers that take the
 * host out of rotation while it changes.
 */
export interface RolloutSpec {
  /** Asked from the host itself (curl): healthy when it answers 2xx. */
  healthUrl: string;
  /** Seconds each wait (health, draining, the balancer's view) may take. */
  timeoutS: number;
  balancer?: BalancerSpec;
}

/** HAProxy's runtime API on each load balancer: where the host is a server of a backend. */
export interface BalancerSpec {
  /** A host pattern of the inventory (the load balancers). */
  hosts: string;
  /** The admin-level Unix socket of the runtime API. */
  socket: string;
  backend: string;
  server: string;
}

/** A name HAProxy accepts for a proxy or server (and that is safe in a runtime API line). */
const haproxyName = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

const Rendered = z.strictObject({
  health_url: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'an http:// or https:// URL without spaces')
    .describe('health URL'),
  timeout: z.coerce
    .number()
    .positive('a number of seconds above 0')
    .max(3600, 'at most 3600 seconds')
    .default(60),
  balancer: z
    .strictObject({
      hosts: z.string().min(1),
      // socat reads `,` and `:` in an address as its own syntax.
      socket: z
        .string()
        .regex(/^\/[^\0\s,:]*$/, 'an absolute path without spaces, commas or colons'),
      backend: haproxyName,
      server: haproxyName.optional(),
    })
    .optional(),
});

/**
 * The play's `rollout:` rendered with the host's variables. Throws
 * TemplateError naming the playbook line and the host when a value cannot
 * render or is not valid once rendered.
 */
export function rolloutFor(
  play: Play,
  host: string,
  vars: Record<string, unknown>,
  templates: TemplateEngine,
  playbookFile: string,
): RolloutSpec | undefined {
  if (!play.rollout) return undefined;
  const label = `${playbookFile}:${play.hostsAt.line}: play "${play.name}" rollout`;
  const parsed = Rendered.safeParse(renderArgs(play.rollout, vars, templates, label, host));
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `rollout.${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new TemplateError(label, undefined, `after rendering: ${detail}`, host);
  }
  const { health_url, timeout, balancer } = parsed.data;
  return {
    healthUrl: health_url,
    timeoutS: timeout,
    ...(balancer ? { balancer: { ...balancer, server: balancer.server ?? host } } : {}),
  };
}

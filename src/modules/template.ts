import { z } from 'zod';
import { absolutePath, fileAttributes, templated } from './arg-types';
import { planFile } from './file-plan';
import type { DesiredFile, ModuleContext, ModuleDefinition } from './module';

export const templateArgs = z.strictObject({
  src: z.string().min(1).describe('Template file, relative to templates/.'),
  dest: absolutePath.describe('Absolute path on the host.'),
  ...fileAttributes,
  validate: templated(/%s/, 'the validate command must contain %s (the candidate file)')
    .optional()
    .describe('Command run on the candidate before the swap; %s is its path.'),
  backup: z.boolean().default(false).describe('Keep a timestamped copy of the replaced file.'),
  validate_locally: z
    .boolean()
    .default(false)
    .describe(
      '`foobar-infra validate` also runs `validate` on the controller, on the file rendered there, when its program is installed there (for a check that needs nothing of the host, e.g. promtool check rules %s).',
    ),
});

export type TemplateArgs = z.infer<typeof templateArgs>;

export const templateModule: ModuleDefinition<TemplateArgs> = {
  name: 'template',
  summary: 'Render a Handlebars template and place it atomically, only when its content differs.',
  args: templateArgs,
  docs: {
    reads: ['file'],
    dryRun:
      'Reports a create or an update when the rendered content or the attributes differ; with `--diff` (always in `diff`) a unified diff, secrets masked. A candidate with `validate` is uploaded to a private temp folder on the host and checked there; when the validating program is not installed yet, the plan says it will run during apply.',
    example: {
      name: 'haproxy.cfg',
      args: {
        src: 'haproxy.cfg.hbs',
        dest: '/etc/haproxy/haproxy.cfg',
        owner: 'root',
        group: 'haproxy',
        mode: '0640',
        validate: 'haproxy -c -f %s',
      },
    },
  },
  files: (args, ctx) => [
    {
      ...rendered(args, ctx),
      ...(args.validate_locally && args.validate ? { validate: args.validate } : {}),
    },
  ],
  facts: (args) => [{ kind: 'file', path: args.dest }],
  plan(args, facts, ctx) {
    const want = rendered(args, ctx);
    return planFile(
      {
        ...want,
        validate: args.validate,
        backup: args.backup,
        secret: ctx.containsSecret(want.content.toString('utf8')),
      },
      facts.file(args.dest),
    );
  },
};

/** The wanted state, declared once: the template rendered for the host, with its attributes. */
function rendered(args: TemplateArgs, ctx: ModuleContext): DesiredFile {
  return {
    path: args.dest,
    content: Buffer.from(ctx.templates.renderFile(args.src, ctx.vars, ctx.host)),
    mode: args.mode,
    owner: args.owner,
    group: args.group,
  };
}

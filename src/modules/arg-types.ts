import { z } from 'zod';

/**
 * The argument types modules share. Each carries a title and a description
 * (zod metadata): the module reference (docs/modules.md) names them.
 */

/** A string that may hold `{{ variables }}`, checked again after rendering. */
export const templated = (pattern: RegExp, message: string) =>
  z.string().refine((s) => s.includes('{{') || pattern.test(s), message);

export const absolutePath = templated(/^\/[^\0]*$/, 'must be an absolute path').meta({
  title: 'absolute path',
  description: 'A path on the host starting with /.',
});
/** File modes are strings ("0644"): an unquoted 0644 is the number 644 in YAML 1.2. */
export const fileMode = z
  .union([z.string(), z.number()])
  .refine(
    (v) => typeof v === 'string',
    'quote the mode, e.g. "0644" (an unquoted 0644 is read as a decimal number)',
  )
  .refine(
    (v) => typeof v !== 'string' || v.includes('{{') || /^0?[0-7]{3,4}$/.test(v),
    'a mode is octal, e.g. "0644"',
  )
  .meta({
    title: 'file mode',
    description: 'An octal mode as a quoted string, e.g. "0644" or "0750".',
  }) as unknown as z.ZodType<string>;
export const userName = templated(/^[a-z_][a-z0-9_.-]*\$?$/i, 'not a user or group name').meta({
  title: 'user name',
  description: 'A user or group name, e.g. root or www-data.',
});
export const unitName = templated(/^[A-Za-z0-9@._:-]+$/, 'not a systemd unit name').meta({
  title: 'unit name',
  description: 'A systemd unit name, e.g. nginx or nginx.service.',
});
export const packageName = templated(/^[a-z0-9][a-z0-9+.-]+$/, 'not a Debian package name').meta({
  title: 'package name',
  description: 'A Debian package name, e.g. haproxy.',
});

/** A whole number, or a string that renders to one ("{{ variable }}"); `message` names what it counts. */
export const wholeNumber = (message: string) =>
  z.union([z.number().int(), z.string().regex(/^\d+$|\{\{/, message)]).meta({
    title: 'whole number',
    description:
      'A whole number, or a string of digits (e.g. "{{ some_variable }}" rendering to one).',
  });

/** Owner, group and mode, common to file-writing modules. */
export const fileAttributes = {
  owner: userName
    .optional()
    .describe('Owner. When not given, an existing path keeps its owner; a new one gets root.'),
  group: userName
    .optional()
    .describe('Group. When not given, an existing path keeps its group; a new one gets root.'),
  mode: fileMode
    .optional()
    .describe(
      'Mode. When not given, an existing path keeps its mode; a new file gets "0644", a new folder "0755".',
    ),
};

/** A yes/no that may come from a variable: true, false, or "{{var}}" rendering to "true"/"false". */
export const flag = z
  .union([
    z.boolean(),
    z.string().refine((s) => s === 'true' || s === 'false' || s.includes('{{'), 'true or false'),
  ])
  .transform((v) => v === true || v === 'true')
  .meta({
    title: 'flag',
    description:
      'true or false, or a string such as "{{ some_variable }}" that renders to "true" or "false".',
  });

/** Every named argument type, for the module reference. */
export const ARGUMENT_TYPES: readonly z.ZodType[] = [
  absolutePath,
  fileMode,
  userName,
  unitName,
  packageName,
  flag,
  wholeNumber('a whole number'),
];

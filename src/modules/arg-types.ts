import { z } from 'zod';

/** A string that may hold `{{ variables }}`, checked again after rendering. */
export const templated = (pattern: RegExp, message: string) =>
  z.string().refine((s) => s.includes('{{') || pattern.test(s), message);

export const absolutePath = templated(/^\/[^\0]*$/, 'must be an absolute path');
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
  ) as unknown as z.ZodType<string>;
export const userName = templated(/^[a-z_][a-z0-9_.-]*\$?$/i, 'not a user or group name');
export const unitName = templated(/^[A-Za-z0-9@._:-]+$/, 'not a systemd unit name');
export const packageName = templated(/^[a-z0-9][a-z0-9+.-]+$/, 'not a Debian package name');

/** Owner, group and mode, common to file-writing modules. */
export const fileAttributes = {
  owner: userName.optional(),
  group: userName.optional(),
  mode: fileMode.optional(),
};

/** A yes/no that may come from a variable: true, false, or "{{var}}" rendering to "true"/"false". */
export const flag = z
  .union([
    z.boolean(),
    z.string().refine((s) => s === 'true' || s === 'false' || s.includes('{{'), 'true or false'),
  ])
  .transform((v) => v === true || v === 'true');

/** A host's variables as the picture reads them: merged, never resolved (a secret only counts as set). */
import type { Host } from '../../inventory/model';

export const str = (host: Host, name: string): string => String(host.vars[name]);
export const num = (host: Host, name: string): number => Number(host.vars[name]);
export const isSet = (host: Host, name: string): boolean => host.vars[name] !== undefined;

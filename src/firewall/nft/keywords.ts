/**
 * Words with a fixed meaning in a rule, shared by the value, selector and
 * rule-item readers: comparison operators (and their word forms), bit
 * operators, and the words that start a verdict.
 */

import type { NftOp } from './types';

export const OPS: ReadonlyMap<string, NftOp> = new Map([
  ['==', '=='],
  ['eq', '=='],
  ['!=', '!='],
  ['ne', '!='],
  ['<', '<'],
  ['lt', '<'],
  ['>', '>'],
  ['gt', '>'],
  ['<=', '<='],
  ['le', '<='],
  ['>=', '>='],
  ['ge', '>='],
]);
export const BIT_OPS = new Set(['&', '|', '^', '<<', '>>']);
export const VERDICT_WORDS = new Set([
  'accept',
  'drop',
  'reject',
  'return',
  'continue',
  'jump',
  'goto',
  'queue',
]);

import * as fs from 'node:fs';
import * as path from 'node:path';
import { TransportError } from '../core/errors';
import type { Endpoint } from './route';
import { privateKeyProblem } from './ssh-key';
import type { Ssh2AuthMethod } from './ssh2-types';

/**
 * The public keys to offer, in order: the endpoint's key files (the
 * inventory's, else ssh config's IdentityFile), then ssh-agent keys, then,
 * when no key file was named, the default keys. The agent is only used to
 * sign here: it is never forwarded.
 */

export const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface AuthPlan {
  methods: { label: string; method: Ssh2AuthMethod }[];
  /** Keys that were found but cannot be offered, and why: for the failure message. */
  notes: string[];
}

export interface AuthContext {
  home: string;
  /** The ssh-agent socket, if any. */
  agentSocket?: string;
}

export function planAuth(host: string, endpoint: Endpoint, context: AuthContext): AuthPlan {
  const plan: AuthPlan = { methods: [], notes: [] };
  const addKey = (file: string, required: boolean) => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'unreadable';
      if (required) throw new TransportError(host, 'authenticate', `key file ${file}: ${reason}`);
      if (reason !== 'not found') plan.notes.push(`key file ${file}: ${reason}`);
      return;
    }
    const problem = privateKeyProblem(text);
    if (problem) {
      // Not fatal even when named: ssh-agent may hold the same key.
      plan.notes.push(`key file ${file} ${problem}`);
      return;
    }
    plan.methods.push({
      label: file,
      method: { type: 'publickey', username: endpoint.user, key: Buffer.from(text) },
    });
  };

  for (const file of endpoint.keyFiles) addKey(file, endpoint.explicitKey);
  if (context.agentSocket) {
    if (fs.existsSync(context.agentSocket)) {
      plan.methods.push({
        label: 'ssh-agent',
        method: { type: 'agent', username: endpoint.user, agent: context.agentSocket },
      });
    } else {
      plan.notes.push(`SSH_AUTH_SOCK ${context.agentSocket} does not exist`);
    }
  }
  if (endpoint.keyFiles.length === 0) {
    for (const name of DEFAULT_KEYS) addKey(path.join(context.home, '.ssh', name), false);
  }
  return plan;
}

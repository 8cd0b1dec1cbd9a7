import { quote, quoteArgv } from './shell';
import { factKey, unitName, type FactRequest, type RemoteDatabase } from './types';

/** Marks the start and end of each fact's output in the gather script. */
/** Non-ASCII text reaches the server as written only when the client talks utf8mb4. */
const CLIENT_CHARSET = '--default-character-set=utf8mb4';

export const FACT_BEGIN = '@@foobar-fact-begin@@';
export const FACT_END = '@@foobar-fact-end@@';

/** The shell commands that print one fact. Output is read by parse.ts. */
export function factCommand(request: FactRequest): string {
  switch (request.kind) {
    case 'file': {
      const p = quote(request.path);
      return [
        `if [ -L ${p} ]; then printf 'link\\t%s\\n' "$(readlink -- ${p})"; stat --printf '%a\\t%U\\t%G\\t%s\\n' -- ${p};`,
        `elif [ -e ${p} ]; then stat --printf '%F\\t%a\\t%U\\t%G\\t%s\\n' -- ${p}; if [ -f ${p} ]; then sha256sum -- ${p}; fi;`,
        `else echo absent; fi`,
      ].join(' ');
    }
    case 'tree': {
      const p = quote(request.path);
      return [
        `if [ -d ${p} ] && [ ! -L ${p} ]; then cd ${p} &&`,
        `find . -mindepth 1 \\( -type f -printf 'f\\t%m\\t%u\\t%g\\t%P\\n' \\) -o \\( -type d -printf 'd\\t%m\\t%u\\t%g\\t%P\\n' \\) &&`,
        `find . -mindepth 1 -type f -exec sha256sum -- {} + ; cd /;`,
        `else echo absent; fi`,
      ].join(' ');
    }
    case 'packages':
      return `dpkg-query -W -f='\${Package}\\t\${db:Status-Abbrev}\\t\${Version}\\n' -- ${quoteArgv(request.names)} 2>/dev/null; true`;
    case 'units':
      return `systemctl show --property=Id,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- ${quoteArgv(request.names.map(unitName))} 2>/dev/null; true`;
    case 'exit':
      return `( ${request.script} ) </dev/null >/dev/null 2>&1; echo "$?"`;
    case 'exists':
      return `if [ -e ${quote(request.path)} ] || [ -L ${quote(request.path)} ]; then echo yes; else echo no; fi`;
    case 'account':
      return `if fb_pw=$(getent passwd -- ${quote(request.name)}); then printf '%s\\n' "$fb_pw"; id -Gn -- ${quote(request.name)}; else echo absent; fi`;
    case 'ssh_client':
      // sudo resets the environment: the first ancestor (sudo itself, or the
      // login shell) that still has SSH_CONNECTION tells.
      return [
        'fb_p=$$; fb_sc=${SSH_CONNECTION:-};',
        'while [ -z "$fb_sc" ] && [ "${fb_p:-1}" -gt 1 ]; do',
        `fb_sc=$(tr '\\000' '\\n' < /proc/$fb_p/environ 2>/dev/null | sed -n 's/^SSH_CONNECTION=//p' | head -n 1);`,
        `fb_p=$(sed 's/.*) //' /proc/$fb_p/stat 2>/dev/null | cut -d' ' -f2); done;`,
        `printf '%s\\n' "$fb_sc"`,
      ].join(' ');
    case 'haproxy_stat':
      // The runtime API speaks plain lines: bash's /dev/tcp is enough (no socat).
      return `if command -v bash >/dev/null 2>&1 && fb_out=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/${request.port} && printf "show stat\\n" >&3 && cat <&3' 2>&1); then echo ok; printf '%s\\n' "$fb_out"; else echo error; echo "no answer from HAProxy's runtime API on 127.0.0.1:${request.port}"; fi`;
    case 'http': {
      const resolve = request.resolve ? ` --resolve ${quote(request.resolve)}` : '';
      return `if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -m 3 -w '%{http_code}\\n'${request.insecure ? ' -k' : ''}${resolve} ${quote(request.url)}; true; else echo 'curl is not installed'; fi`;
    }
    case 'content':
      return `if [ -f ${quote(request.path)} ]; then echo present; cat -- ${quote(request.path)}; else echo absent; fi`;
    case 'sql':
      return sqlFactCommand(
        request.query,
        request.orElse,
        request.vertical ?? false,
        request.remote,
      );
  }
}

/**
 * Runs one query with the mysql client: as the local admin (root over the
 * socket), or against a remote server with a temporary defaults file. Prints
 * "ok" and the output, or "error" and the client's message.
 */
function sqlFactCommand(
  query: string,
  orElse: string | undefined,
  vertical: boolean,
  remote?: RemoteDatabase,
): string {
  const flags = `${CLIENT_CHARSET} ${vertical ? '--vertical' : '--batch --skip-column-names'}`;
  // A second query for servers that refuse the first (e.g. SHOW SLAVE STATUS before MySQL 8.0.22).
  const fallback = (client: string) =>
    orElse ? ` || fb_out=$(${client} ${flags} -e ${quote(orElse)} 2>&1)` : '';
  const lines: string[] = [];
  if (remote) {
    lines.push(
      `fb_cnf=$(mktemp) && chmod 600 "$fb_cnf" &&`,
      `printf '[client]\\nhost=%s\\nport=%s\\nuser=%s\\npassword="%s"\\nconnect-timeout=5\\n%s' ${quote(remote.host)} ${remote.port} ${quote(remote.user)} ${quote(escapeOptionValue(remote.password))} ${quote(remote.tls === 'mariadb' ? 'ssl\n' : remote.tls === 'mysql' ? 'ssl-mode=REQUIRED\n' : '')} > "$fb_cnf" &&`,
      `fb_out=$(mysql --defaults-extra-file="$fb_cnf" --protocol=TCP ${flags} -e ${quote(query)} 2>&1)${fallback('mysql --defaults-extra-file="$fb_cnf" --protocol=TCP')}; fb_rc=$?; rm -f "$fb_cnf";`,
    );
  } else {
    lines.push(`fb_out=$(mysql ${flags} -e ${quote(query)} 2>&1)${fallback('mysql')}; fb_rc=$?;`);
  }
  lines.push(
    `if ! command -v mysql >/dev/null 2>&1; then echo error; echo 'the mysql client is not installed';`,
  );
  lines.push(
    `elif [ "$fb_rc" = 0 ]; then echo ok; printf '%s\\n' "$fb_out"; else echo error; printf '%s\\n' "$fb_out"; fi`,
  );
  return lines.join(' ');
}

/** A value inside double quotes in a MySQL option file: backslash and quote escaped. */
function escapeOptionValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * One script that prints every requested fact, each between markers. One
 * remote command per host, whatever the number of facts.
 */
export function gatherScript(requests: readonly FactRequest[]): string {
  const lines = ['export LC_ALL=C'];
  uniqueRequests(requests).forEach((request, i) => {
    lines.push(`printf '%s %s\\n' ${FACT_BEGIN} ${i}`);
    lines.push(`{ ${factCommand(request)}; } 2>/dev/null`);
    lines.push(`printf '%s\\n' ${FACT_END}`);
  });
  return `${lines.join('\n')}\n`;
}

/** The requests without repeats, in first-asked order: section i of the output is request i. */
export function uniqueRequests(requests: readonly FactRequest[]): FactRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => {
    const key = factKey(r);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

import { AgentError } from './errors.js';

/**
 * Splits a script parameter string into arguments the way a POSIX shell splits words: blanks separate,
 * single quotes keep everything literal, double quotes keep blanks (a backslash escapes `"`, `\`, `$`
 * and `` ` `` inside them), and a backslash outside quotes escapes the next character. Nothing is
 * expanded: `$HOME` or `*` stay as written, so a parameter can never run a command on the agent.
 * @throws AgentError `PARAMS_INVALID` on an unterminated quote or a trailing backslash.
 * @example splitParams(`a 'b c' "d \\"e\\""`) // ['a', 'b c', 'd "e"']
 */
export function splitParams(params: string): string[] {
  const args: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const fail = (what: string): never => {
    throw new AgentError('PARAMS_INVALID', `script parameters ${what}: ${JSON.stringify(params.slice(0, 200))}`);
  };
  while (i < params.length) {
    const c = params[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) args.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = params.indexOf("'", i + 1);
      if (end < 0) fail('have an unterminated single quote');
      word += params.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= params.length) fail('have an unterminated double quote');
        const d = params[i];
        if (d === '"') { i++; break; }
        if (d === '\\' && i + 1 < params.length && '"\\$`'.includes(params[i + 1])) { word += params[i + 1]; i += 2; continue; }
        word += d;
        i++;
      }
    } else if (c === '\\') {
      if (i + 1 >= params.length) fail('end with a lone backslash');
      word += params[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) args.push(word);
  return args;
}

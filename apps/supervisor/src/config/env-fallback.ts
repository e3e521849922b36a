/**
 * The flags `argv` lacks, taken from `GRIDCLOUD_<FLAG_IN_UPPER_SNAKE>` variables, appended after it: flags win over
 * the environment, and an error about a value can still name the flag (and the variable, via `sourceOf`).
 */
export function withEnvFallback(
  argv: readonly string[],
  known: readonly string[],
  env: NodeJS.ProcessEnv,
): string[] {
  const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  const out = [...argv];
  for (const flag of known) {
    const value = env[envName(flag)];
    if (!given.has(flag) && value !== undefined) out.push(`--${flag}=${value}`);
  }
  return out;
}

export function envName(flag: string): string {
  return `GRIDCLOUD_${flag.toUpperCase().replace(/-/g, '_')}`;
}

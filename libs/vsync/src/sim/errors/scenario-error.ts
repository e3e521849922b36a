/** A scripted scenario line that failed: the message names the file line and what was expected. */
export class ScenarioError extends Error {
  constructor(name: string, line: number, text: string, detail: string) {
    super(`${name}:${line}: "${text}": ${detail}`);
    this.name = 'ScenarioError';
  }
}

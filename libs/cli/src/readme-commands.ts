// Test support (not exported): the `headstart` command lines of a README section, so a test runs the
// commands the docs show rather than a copy that can drift from them.

/** The words of one shell command line: blanks split, double or single quotes group (no escapes, no $). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of line.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/**
 * The lines starting with `headstart ` in the ```sh blocks of the section under `## heading` (up to the
 * next `## `), as argv without `headstart`. Throws when the section is missing.
 */
export function readmeCommands(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  const commands: string[][] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      if (line.startsWith('headstart ')) commands.push(shellWords(line).slice(1));
    }
  }
  return commands;
}

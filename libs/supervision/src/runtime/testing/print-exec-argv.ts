/** Prints the flags node runs this entry with, as one JSON line, and exits: for the process driver's spec. */
process.stdout.write(`${JSON.stringify({ event: 'exec-argv', execArgv: process.execArgv })}\n`);

import { runCli } from './run-cli.ts';

// `ucap` entry point (bin/ucap.js, or `npm run ucap --`): one command, then exit with its code.
process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
});

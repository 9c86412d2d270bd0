/** Entry point of `npm run emulator`: the emulator alone, configured by EMULATOR_* variables. */
import { describeEmulator } from './banner';
import { emulatorOptionsFromEnv } from './env';
import { startEmulator } from './index';

async function main(): Promise<void> {
  const { options, problems } = emulatorOptionsFromEnv(process.env);
  if (problems.length > 0) {
    problems.forEach((problem) => console.error(problem));
    process.exitCode = 1;
    return;
  }
  const emulator = await startEmulator(options);
  console.log(describeEmulator(emulator));

  const stop = (signal: NodeJS.Signals) => {
    console.log(`${signal}: stopping the emulator`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Emulator did not close cleanly:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`Emulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

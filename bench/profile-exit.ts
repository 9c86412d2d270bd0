/**
 * Preloaded into the gateway only when profiling (`node -r`): SIGUSR2 ends the process normally,
 * so that `--cpu-prof` writes its profile (a process killed by a signal writes none).
 */
process.on('SIGUSR2', () => process.exit(0));

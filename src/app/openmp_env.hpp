#pragma once
// OpenMP's idle threads spin by default, taking the cores the batch engine's reader and writer
// threads need (measured: 0.87x against 1.28x of a serial loop with OMP_WAIT_POLICY=PASSIVE;
// docs/benchmarks.md). libgomp reads the variable only at start-up, so the programs re-execute
// themselves once with it set, unless the user chose a policy (gpen-restore, gpen-server).

namespace gpen::app {

/// Returns only if the variable was already set or re-execution failed (then runs as is).
void ensure_passive_openmp_wait(char** argv);

}  // namespace gpen::app

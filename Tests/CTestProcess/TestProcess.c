// Tests only: settings the test process needs before Swift Testing starts, set as it loads.
#include "CTestProcess.h"

#include <stdlib.h>

// At most 8 test cases run at once (unless the variable is already set). With no bound, every
// suite's servers, stores and sockets are open together: a full run peaked at 1,631 descriptors,
// and at that many the listing of /proc/self/fd fills glibc's 32 KiB readdir buffer, where
// Foundation's Process.run (swift-corelibs-foundation before its PR 5472) reads 256 bytes past a
// record and crashes the test process now and then. Bounded at 8: a peak of 798, and the suite
// runs faster (48 s against 62 s on two cores).
__attribute__((constructor)) static void bound_test_parallelism(void) {
    setenv("SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH", "8", 0);
}

int dialler_test_process_settings_loaded(void) { return 1; }

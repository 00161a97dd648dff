#ifndef C_TEST_PROCESS_H
#define C_TEST_PROCESS_H

/// Always 1: referenced from Swift so the linker keeps this object, and with it the constructor
/// that bounds how many test cases run at once.
int dialler_test_process_settings_loaded(void);

#endif

#ifndef C_PHONE_NUMBER_H
#define C_PHONE_NUMBER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Parses `input` (NUL-terminated UTF-8) with `region` (ISO 3166 alpha-2) as the default
/// region, accepts it when libphonenumber's metadata finds it valid (IsValidNumber's answer, the
/// default region's plan checked first and faster), and writes its E.164 form, NUL-terminated, into
/// `output`. Returns the length written, or -1 when the number is not valid (or does not fit in
/// `capacity`).
int dialler_phone_to_e164(const char *input, const char *region, char *output, size_t capacity);

/// The same answer from libphonenumber alone (Parse, IsValidNumber, Format): the reference the
/// tests hold `dialler_phone_to_e164` to.
int dialler_phone_to_e164_by_library(const char *input, const char *region, char *output, size_t capacity);

/// Loads libphonenumber's metadata now, so the first request does not pay for it.
void dialler_phone_warm_up(void);

#ifdef __cplusplus
}
#endif

#endif

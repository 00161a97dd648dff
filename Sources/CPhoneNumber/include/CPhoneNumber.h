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

/// A number's line type: libphonenumber's PhoneNumberType, in its order (PhoneNumber.cpp checks
/// that the values are the same).
typedef enum {
    DIALLER_LINE_FIXED_LINE = 0,
    DIALLER_LINE_MOBILE,
    DIALLER_LINE_FIXED_LINE_OR_MOBILE,
    DIALLER_LINE_TOLL_FREE,
    DIALLER_LINE_PREMIUM_RATE,
    DIALLER_LINE_SHARED_COST,
    DIALLER_LINE_VOIP,
    DIALLER_LINE_PERSONAL_NUMBER,
    DIALLER_LINE_PAGER,
    DIALLER_LINE_UAN,
    DIALLER_LINE_VOICEMAIL,
    DIALLER_LINE_UNKNOWN
} dialler_line_type;

/// `dialler_phone_to_e164`, and the number's line type into `line_type` (as GetNumberType answers
/// it) when the number is valid.
int dialler_phone_parse(const char *input, const char *region, char *output, size_t capacity, int *line_type);

/// The same answer from libphonenumber alone (Parse, IsValidNumber, Format, GetNumberType).
int dialler_phone_parse_by_library(const char *input, const char *region, char *output, size_t capacity, int *line_type);

/// Loads libphonenumber's metadata now, so the first request does not pay for it.
void dialler_phone_warm_up(void);

#ifdef __cplusplus
}
#endif

#endif

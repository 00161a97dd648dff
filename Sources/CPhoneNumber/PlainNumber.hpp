// The common case of parsing, answered without libphonenumber's regex cache.
#ifndef DIALLER_PLAIN_NUMBER_HPP
#define DIALLER_PLAIN_NUMBER_HPP

#include <string>

#include "RegionPlan.hpp"

namespace dialler {

/// The E.164 form of `input` when it is a plain number of `plan`'s region, valid there; an empty
/// string when libphonenumber must decide (anything else, invalid numbers included).
///
/// "Plain" is what nearly every lead carries: digits and spaces, perhaps after one `+`, written
/// nationally (`07911 123456`) or with the region's own calling code (`+44 7911 123456`). For
/// those, this follows the steps of libphonenumber's Parse (country code, national prefix, the
/// length checks) on the same metadata, then `RegionPlan::accepts`. Whenever a step could go
/// another way (an international prefix, the calling code written without `+`, a national-prefix
/// transform, a leading zero kept in the number), it answers empty and the library decides, so it
/// can accept a number only where Parse and IsValidNumberForRegion would, and never refuses one.
/// Parse alone cost ~19 µs a number under load (11 % of server CPU), most of it building ICU
/// matchers; PhoneNumbersTests compare the two answers. When it answers, `lineType` is the
/// number's type as GetNumberType gives it (`RegionPlan::numberType`).
std::string plainNumberE164(const RegionPlan &plan, const char *input, int *lineType);

} // namespace dialler

#endif

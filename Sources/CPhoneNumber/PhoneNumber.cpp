// A plain C face over libphonenumber, so Swift never sees C++ or protobuf types.
#include "CPhoneNumber.h"
#include "PlainNumber.hpp"
#include "RegionPlan.hpp"

#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/// Writes `text`, NUL-terminated, into `output`; its length, or -1 when it does not fit.
int write(const std::string &text, char *output, size_t capacity) {
    if (text.size() + 1 > capacity) {
        return -1;
    }
    std::memcpy(output, text.c_str(), text.size() + 1);
    return static_cast<int>(text.size());
}

/// Writes `number`'s E.164 form into `output`; its length, or -1 when it does not fit.
int writeE164(const PhoneNumberUtil &util, const PhoneNumber &number, char *output, size_t capacity) {
    std::string formatted;
    util.Format(number, PhoneNumberUtil::E164, &formatted);
    return write(formatted, output, capacity);
}

/// Whether `number` is valid in `region`'s plan, as IsValidNumberForRegion answers, but faster.
bool isValidInRegion(const PhoneNumberUtil &util, const PhoneNumber &number, const dialler::RegionPlan *plan) {
    if (plan == nullptr || number.country_code() != plan->countryCode()) {
        return false;
    }
    std::string national;
    util.GetNationalSignificantNumber(number, &national);
    return plan->accepts(national);
}

} // namespace

int dialler_phone_to_e164(const char *input, const char *region, char *output, size_t capacity) {
    const dialler::RegionPlan *plan = dialler::RegionPlan::forRegion(region);
    if (plan != nullptr) {
        const std::string plain = dialler::plainNumberE164(*plan, input);
        if (!plain.empty()) {
            return write(plain, output, capacity);
        }
    }
    const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(input, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
        return -1;
    }
    // Anything else is parsed by libphonenumber. The default region's plan is still checked first
    // (RegionPlan): that skips IsValidNumber's search for the number's region (for +44 it tries
    // GB, GG, IM and JE). For a default region that is its calling code's main country (GB for
    // +44) the answer is IsValidNumber's; PhoneNumbersTests hold the two to the same answers.
    if (!isValidInRegion(util, number, plan) && !util.IsValidNumber(number)) {
        return -1;
    }
    return writeE164(util, number, output, capacity);
}

int dialler_phone_to_e164_by_library(const char *input, const char *region, char *output, size_t capacity) {
    const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(input, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR || !util.IsValidNumber(number)) {
        return -1;
    }
    return writeE164(util, number, output, capacity);
}

void dialler_phone_warm_up(void) {
    char buffer[32];
    dialler_phone_to_e164("+447840258823", "GB", buffer, sizeof buffer);
}

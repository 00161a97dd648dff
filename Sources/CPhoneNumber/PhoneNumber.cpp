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

// The C enum's values are libphonenumber's, so a type crosses as a plain int.
static_assert(int(PhoneNumberUtil::FIXED_LINE) == DIALLER_LINE_FIXED_LINE && int(PhoneNumberUtil::MOBILE) == DIALLER_LINE_MOBILE &&
              int(PhoneNumberUtil::FIXED_LINE_OR_MOBILE) == DIALLER_LINE_FIXED_LINE_OR_MOBILE &&
              int(PhoneNumberUtil::TOLL_FREE) == DIALLER_LINE_TOLL_FREE && int(PhoneNumberUtil::PREMIUM_RATE) == DIALLER_LINE_PREMIUM_RATE &&
              int(PhoneNumberUtil::SHARED_COST) == DIALLER_LINE_SHARED_COST && int(PhoneNumberUtil::VOIP) == DIALLER_LINE_VOIP &&
              int(PhoneNumberUtil::PERSONAL_NUMBER) == DIALLER_LINE_PERSONAL_NUMBER && int(PhoneNumberUtil::PAGER) == DIALLER_LINE_PAGER &&
              int(PhoneNumberUtil::UAN) == DIALLER_LINE_UAN && int(PhoneNumberUtil::VOICEMAIL) == DIALLER_LINE_VOICEMAIL &&
              int(PhoneNumberUtil::UNKNOWN) == DIALLER_LINE_UNKNOWN,
              "dialler_line_type follows PhoneNumberUtil::PhoneNumberType");

int dialler_phone_to_e164(const char *input, const char *region, char *output, size_t capacity) {
    int lineType = DIALLER_LINE_UNKNOWN;
    return dialler_phone_parse(input, region, output, capacity, &lineType);
}

int dialler_phone_parse(const char *input, const char *region, char *output, size_t capacity, int *line_type) {
    const dialler::RegionPlan *plan = dialler::RegionPlan::forRegion(region);
    if (plan != nullptr) {
        const std::string plain = dialler::plainNumberE164(*plan, input, line_type);
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
    // Rare (numbers written unusually, or of another country): libphonenumber's own answer.
    *line_type = int(util.GetNumberType(number));
    return writeE164(util, number, output, capacity);
}

int dialler_phone_to_e164_by_library(const char *input, const char *region, char *output, size_t capacity) {
    int lineType = DIALLER_LINE_UNKNOWN;
    return dialler_phone_parse_by_library(input, region, output, capacity, &lineType);
}

int dialler_phone_parse_by_library(const char *input, const char *region, char *output, size_t capacity, int *line_type) {
    const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(input, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR || !util.IsValidNumber(number)) {
        return -1;
    }
    *line_type = int(util.GetNumberType(number));
    return writeE164(util, number, output, capacity);
}

void dialler_phone_warm_up(void) {
    char buffer[32];
    dialler_phone_to_e164("+447840258823", "GB", buffer, sizeof buffer);
}

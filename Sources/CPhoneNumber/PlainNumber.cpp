#include "PlainNumber.hpp"

#include <algorithm>

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace dialler {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;
using Pattern = RegionPlan::Pattern;

namespace {

/// libphonenumber's bounds on a national significant number.
constexpr size_t minimumNationalLength = 2;
constexpr size_t maximumNationalLength = 17;

/// The digits of `input` and whether they follow a `+`, when `input` is only spaces and digits
/// after at most one leading `+`; false otherwise.
bool plainDigits(const char *input, std::string *digits, bool *plus) {
    const char *character = input;
    while (*character == ' ') character++;
    *plus = *character == '+';
    if (*plus) character++;
    for (; *character != '\0'; character++) {
        if (*character >= '0' && *character <= '9') {
            digits->push_back(*character);
        } else if (*character != ' ') {
            return false;
        }
    }
    return true;
}

/// The calling code at the start of `digits`: the shortest prefix of up to three digits that is
/// one (calling codes never begin with 0); 0 when none is.
int leadingCallingCode(const std::string &digits, size_t *length) {
    if (digits.empty() || digits[0] == '0') return 0;
    const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
    for (size_t digitCount = 1; digitCount <= 3 && digitCount <= digits.size(); digitCount++) {
        const int candidate = std::stoi(digits.substr(0, digitCount));
        std::string region;
        util.GetRegionCodeForCountryCode(candidate, &region);
        if (region != "ZZ") {
            *length = digitCount;
            return candidate;
        }
    }
    return 0;
}

/// Whether Parse keeps `number` with its national prefix removed: its length, by the general
/// description's possible lengths, is possible or too long, not too short, local-only or invalid.
bool lengthAllowsStripping(const PhoneMetadata &metadata, const std::string &number) {
    const PhoneNumberDesc &general = metadata.general_desc();
    const auto &possible = general.possible_length();
    const auto &localOnly = general.possible_length_local_only();
    const int length = static_cast<int>(number.size());
    if (possible.empty() || possible.Get(0) == -1) return false;
    if (std::find(localOnly.begin(), localOnly.end(), length) != localOnly.end()) return false;
    if (length < possible.Get(0)) return false;
    if (length > *(possible.end() - 1)) return true;
    return std::find(possible.begin(), possible.end(), length) != possible.end();
}

} // namespace

std::string plainNumberE164(const RegionPlan &plan, const char *input, int *lineType) {
    const PhoneMetadata &metadata = plan.metadata();
    // Another country's plan would decide numbers written with +CC; a transform rewrites digits.
    if (!plan.isMainCountry() || metadata.international_prefix().empty() ||
        !metadata.national_prefix_transform_rule().empty()) {
        return {};
    }
    std::string digits;
    bool plus = false;
    if (!plainDigits(input, &digits, &plus) || digits.size() < 3) return {};

    std::string national;
    if (plus) {
        size_t codeLength = 0;
        if (leadingCallingCode(digits, &codeLength) != plan.countryCode()) return {};
        national = digits.substr(codeLength);
    } else {
        // An international prefix (00 in GB), or the region's calling code without a +: Parse
        // weighs readings against each other there.
        if (plan.prefixLength(Pattern::internationalPrefix, digits) >= 0) return {};
        if (digits.compare(0, plan.countryCodeDigits().size(), plan.countryCodeDigits()) == 0) return {};
        national = digits;
    }
    if (national.size() < minimumNationalLength) return {};

    if (!metadata.national_prefix_for_parsing().empty()) {
        std::string candidate = national;
        const int prefix = plan.prefixLength(Pattern::nationalPrefixForParsing, national);
        if (prefix >= 0) {
            std::string stripped = national.substr(static_cast<size_t>(prefix));
            // Not when that turns a number matching the general pattern into one that does not.
            if (!plan.fullMatch(Pattern::general, national) || plan.fullMatch(Pattern::general, stripped)) {
                candidate = std::move(stripped);
            }
        }
        if (lengthAllowsStripping(metadata, candidate)) national = std::move(candidate);
    }
    // Too short or long for Parse, or a leading zero it keeps as part of the number (Italy).
    if (national.size() < minimumNationalLength || national.size() > maximumNationalLength || national[0] == '0') {
        return {};
    }
    // Valid exactly when the number has a type (IsValidNumberForRegion's own test). The plan is
    // its calling code's main country, which GetRegionCodeForNumber tries first, so the type is
    // the one GetNumberType finds.
    const int type = plan.numberType(national);
    if (type == int(PhoneNumberUtil::UNKNOWN)) return {};
    *lineType = type;
    return "+" + plan.countryCodeDigits() + national;
}

} // namespace dialler

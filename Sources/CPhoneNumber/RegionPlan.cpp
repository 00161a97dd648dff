#include "RegionPlan.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>

// libphonenumber's compiled-in metadata, the very bytes its PhoneNumberUtil loads. Exported by
// libphonenumber.so but declared only in a header it does not install (metadata.h).
namespace i18n::phonenumbers {
int metadata_size();
const void *metadata_get();
}

namespace dialler {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/// Each thread's matchers for one plan, one per pattern, made on first use: an ICU matcher holds
/// the state of a match in progress, so threads cannot share one.
struct ThreadMatchers {
    const RegionPlan *plan;
    std::vector<std::unique_ptr<icu::RegexMatcher>> matchers;
};
thread_local std::vector<ThreadMatchers> threadMatchers;

/// libphonenumber's metadata for `region`, or nullptr. Parsed once and never freed (nor are the
/// plans that point into it), so no thread still at work while the process exits can find it gone.
const PhoneMetadata *metadataFor(const std::string &region) {
    static const PhoneMetadataCollection *const collection = [] {
        auto *parsed = new PhoneMetadataCollection();
        parsed->ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size());
        return parsed;
    }();
    for (const PhoneMetadata &metadata : collection->metadata()) {
        if (metadata.id() == region) return &metadata;
    }
    return nullptr;
}

} // namespace

bool RegionPlan::Description::allowsLength(int length) const {
    return lengths.empty() || std::find(lengths.begin(), lengths.end(), length) != lengths.end();
}

const RegionPlan *RegionPlan::forRegion(const char *region) {
    // Every request asks for the same region: answer it without the lock.
    thread_local std::string lastRegion;
    thread_local const RegionPlan *lastPlan = nullptr;
    if (lastPlan != nullptr && lastRegion == region) return lastPlan;

    // Plans are built once per region and never freed (the map is never destroyed, even at exit),
    // so the pointers handed out stay valid. The lock guards building them, on first use only.
    static std::mutex *const lock = new std::mutex();
    static auto *const plans = new std::map<std::string, std::unique_ptr<RegionPlan>>();
    std::lock_guard<std::mutex> guard(*lock);
    auto found = plans->find(region);
    if (found == plans->end()) {
        std::unique_ptr<RegionPlan> plan;
        if (const PhoneMetadata *metadata = metadataFor(region)) {
            plan.reset(new RegionPlan());
            plan->metadata_ = metadata;
            plan->countryCode_ = metadata->country_code();
            plan->countryCodeDigits_ = std::to_string(metadata->country_code());
            std::string mainCountry;
            PhoneNumberUtil::GetInstance()->GetRegionCodeForCountryCode(metadata->country_code(), &mainCountry);
            plan->isMainCountry_ = mainCountry == region;
            std::vector<const PhoneNumberDesc *> order = {&metadata->general_desc()};
            // A mobile pattern counts only when it differs from the fixed-line one (as in
            // GetNumberTypeHelper); when they are the same, the fixed-line check decides.
            plan->sameMobileAndFixedLine_ = metadata->same_mobile_and_fixed_line_pattern();
            if (!plan->sameMobileAndFixedLine_) order.push_back(&metadata->mobile());
            for (const PhoneNumberDesc *description :
                 {&metadata->fixed_line(), &metadata->premium_rate(), &metadata->toll_free(), &metadata->shared_cost(),
                  &metadata->voip(), &metadata->personal_number(), &metadata->pager(), &metadata->uan(),
                  &metadata->voicemail()}) {
                order.push_back(description);
            }
            for (const PhoneNumberDesc *description : order) {
                Description compiled;
                compiled.lengths.assign(description->possible_length().begin(), description->possible_length().end());
                compiled.pattern = plan->compile(description->national_number_pattern());
                plan->descriptions_.push_back(std::move(compiled));
            }
            plan->namedPatterns_[int(Pattern::general)] = plan->descriptions_[0].pattern;
            plan->namedPatterns_[int(Pattern::internationalPrefix)] = plan->compile(metadata->international_prefix());
            plan->namedPatterns_[int(Pattern::nationalPrefixForParsing)] =
                plan->compile(metadata->national_prefix_for_parsing());
        }
        found = plans->emplace(region, std::move(plan)).first;
    }
    lastRegion = region;
    lastPlan = found->second.get();
    return lastPlan;
}

int RegionPlan::compile(const std::string &pattern) {
    // An empty pattern never matches (RegexBasedMatcher::MatchNationalNumber, and the parsing
    // steps skip empty prefixes), so it gets no pattern at all.
    if (pattern.empty()) return -1;
    UParseError parseError;
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::RegexPattern> compiled(
        icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), 0, parseError, status));
    if (U_FAILURE(status)) return -1;
    patterns_.push_back(std::move(compiled));
    return static_cast<int>(patterns_.size()) - 1;
}

icu::RegexMatcher *RegionPlan::matcher(int index, const icu::UnicodeString &text) const {
    if (index < 0) return nullptr;
    auto mine = std::find_if(threadMatchers.begin(), threadMatchers.end(),
                             [this](const ThreadMatchers &entry) { return entry.plan == this; });
    if (mine == threadMatchers.end()) {
        threadMatchers.push_back({this, {}});
        mine = threadMatchers.end() - 1;
        mine->matchers.resize(patterns_.size());
    }
    std::unique_ptr<icu::RegexMatcher> &matcher = mine->matchers[index];
    if (!matcher) {
        UErrorCode status = U_ZERO_ERROR;
        matcher.reset(patterns_[index]->matcher(status));
        if (U_FAILURE(status)) {
            matcher.reset();
            return nullptr;
        }
    }
    matcher->reset(text);
    return matcher.get();
}

bool RegionPlan::describes(const Description &description, const icu::UnicodeString &national, int length) const {
    if (!description.allowsLength(length)) return false;
    icu::RegexMatcher *found = matcher(description.pattern, national);
    UErrorCode status = U_ZERO_ERROR;
    return found != nullptr && found->matches(status) && U_SUCCESS(status);
}

bool RegionPlan::accepts(const std::string &national) const {
    const icu::UnicodeString text = icu::UnicodeString::fromUTF8(national);
    const int length = static_cast<int>(national.size());
    if (descriptions_.empty() || !describes(descriptions_[0], text, length)) return false;
    for (size_t index = 1; index < descriptions_.size(); index++) {
        if (describes(descriptions_[index], text, length)) return true;
    }
    return false;
}

int RegionPlan::numberType(const std::string &national) const {
    const icu::UnicodeString text = icu::UnicodeString::fromUTF8(national);
    const int length = static_cast<int>(national.size());
    if (descriptions_.empty() || !describes(descriptions_[0], text, length)) return PhoneNumberUtil::UNKNOWN;
    // descriptions_: general, mobile (unless the same as fixed line), fixed line, then the
    // special rates in GetNumberTypeHelper's order, which are tried first.
    const size_t mobile = 1, fixedLine = sameMobileAndFixedLine_ ? 1 : 2;
    static const PhoneNumberUtil::PhoneNumberType special[] = {
        PhoneNumberUtil::PREMIUM_RATE, PhoneNumberUtil::TOLL_FREE, PhoneNumberUtil::SHARED_COST, PhoneNumberUtil::VOIP,
        PhoneNumberUtil::PERSONAL_NUMBER, PhoneNumberUtil::PAGER, PhoneNumberUtil::UAN, PhoneNumberUtil::VOICEMAIL};
    for (size_t index = fixedLine + 1; index < descriptions_.size(); index++) {
        if (describes(descriptions_[index], text, length)) return special[index - fixedLine - 1];
    }
    if (describes(descriptions_[fixedLine], text, length)) {
        if (sameMobileAndFixedLine_ || describes(descriptions_[mobile], text, length)) {
            return PhoneNumberUtil::FIXED_LINE_OR_MOBILE;
        }
        return PhoneNumberUtil::FIXED_LINE;
    }
    if (!sameMobileAndFixedLine_ && describes(descriptions_[mobile], text, length)) return PhoneNumberUtil::MOBILE;
    return PhoneNumberUtil::UNKNOWN;
}

bool RegionPlan::fullMatch(Pattern pattern, const std::string &digits) const {
    const icu::UnicodeString text = icu::UnicodeString::fromUTF8(digits);
    icu::RegexMatcher *found = matcher(namedPatterns_[int(pattern)], text);
    UErrorCode status = U_ZERO_ERROR;
    return found != nullptr && found->matches(status) && U_SUCCESS(status);
}

int RegionPlan::prefixLength(Pattern pattern, const std::string &digits) const {
    const icu::UnicodeString text = icu::UnicodeString::fromUTF8(digits);
    icu::RegexMatcher *found = matcher(namedPatterns_[int(pattern)], text);
    UErrorCode status = U_ZERO_ERROR;
    if (found == nullptr || !found->lookingAt(status) || U_FAILURE(status)) return -1;
    // ASCII digits: UTF-16 offsets are byte offsets.
    const int32_t end = found->end(status);
    return U_SUCCESS(status) ? end : -1;
}

} // namespace dialler

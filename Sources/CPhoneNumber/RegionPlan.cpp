#include "RegionPlan.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include <phonenumbers/phonemetadata.pb.h>

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

namespace {

/// Each thread's matchers for one plan, one per description, made on first use: an ICU matcher
/// holds the state of a match in progress, so threads cannot share one.
struct ThreadMatchers {
    const RegionPlan *plan;
    std::vector<std::unique_ptr<icu::RegexMatcher>> matchers;
};
thread_local std::vector<ThreadMatchers> threadMatchers;

/// libphonenumber's metadata for `region`, or nullptr.
const PhoneMetadata *metadataFor(const std::string &region) {
    static const PhoneMetadataCollection collection = [] {
        PhoneMetadataCollection parsed;
        parsed.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size());
        return parsed;
    }();
    for (const PhoneMetadata &metadata : collection.metadata()) {
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

    // Plans are built once per region and never freed, so the pointers handed out stay valid.
    static std::mutex lock;
    static std::map<std::string, std::unique_ptr<RegionPlan>> plans;
    std::lock_guard<std::mutex> guard(lock);
    auto found = plans.find(region);
    if (found == plans.end()) {
        const PhoneMetadata *metadata = metadataFor(region);
        std::unique_ptr<RegionPlan> plan;
        if (metadata != nullptr) {
            plan.reset(new RegionPlan());
            plan->countryCode_ = metadata->country_code();
            std::vector<const PhoneNumberDesc *> order = {&metadata->general_desc()};
            // A mobile pattern counts only when it differs from the fixed-line one (as in
            // GetNumberTypeHelper); when they are the same, the fixed-line check decides.
            if (!metadata->same_mobile_and_fixed_line_pattern()) order.push_back(&metadata->mobile());
            for (const PhoneNumberDesc *description :
                 {&metadata->fixed_line(), &metadata->premium_rate(), &metadata->toll_free(), &metadata->shared_cost(),
                  &metadata->voip(), &metadata->personal_number(), &metadata->pager(), &metadata->uan(),
                  &metadata->voicemail()}) {
                order.push_back(description);
            }
            for (const PhoneNumberDesc *description : order) {
                Description compiled;
                compiled.lengths.assign(description->possible_length().begin(), description->possible_length().end());
                // An empty pattern never matches (RegexBasedMatcher::MatchNationalNumber); flags 0,
                // as libphonenumber's ICU adapter compiles them.
                if (!description->national_number_pattern().empty()) {
                    UParseError parseError;
                    UErrorCode status = U_ZERO_ERROR;
                    compiled.pattern.reset(icu::RegexPattern::compile(
                        icu::UnicodeString::fromUTF8(description->national_number_pattern()), 0, parseError, status));
                    if (U_FAILURE(status)) compiled.pattern.reset();
                }
                plan->descriptions_.push_back(std::move(compiled));
            }
        }
        found = plans.emplace(region, std::move(plan)).first;
    }
    lastRegion = region;
    lastPlan = found->second.get();
    return lastPlan;
}

bool RegionPlan::matches(size_t index, const icu::UnicodeString &national, int length) const {
    const Description &description = descriptions_[index];
    if (!description.pattern || !description.allowsLength(length)) return false;
    auto mine = std::find_if(threadMatchers.begin(), threadMatchers.end(),
                             [this](const ThreadMatchers &entry) { return entry.plan == this; });
    if (mine == threadMatchers.end()) {
        threadMatchers.push_back({this, {}});
        mine = threadMatchers.end() - 1;
        mine->matchers.resize(descriptions_.size());
    }
    std::unique_ptr<icu::RegexMatcher> &matcher = mine->matchers[index];
    UErrorCode status = U_ZERO_ERROR;
    if (!matcher) {
        matcher.reset(description.pattern->matcher(status));
        if (U_FAILURE(status)) {
            matcher.reset();
            return false;
        }
    }
    matcher->reset(national);
    bool matched = matcher->matches(status);
    return matched && U_SUCCESS(status);
}

bool RegionPlan::accepts(const std::string &national) const {
    if (descriptions_.empty()) return false;
    const icu::UnicodeString text = icu::UnicodeString::fromUTF8(national);
    const int length = static_cast<int>(national.size());
    if (!matches(0, text, length)) return false;
    for (size_t index = 1; index < descriptions_.size(); index++) {
        if (matches(index, text, length)) return true;
    }
    return false;
}

} // namespace dialler

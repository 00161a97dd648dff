// One region's numbering plan, checked with ICU patterns compiled once and matchers reused per
// thread, for the numbers most leads carry: those of the server's default region.
#ifndef DIALLER_REGION_PLAN_HPP
#define DIALLER_REGION_PLAN_HPP

#include <memory>
#include <string>
#include <vector>

#include <unicode/regex.h>

namespace dialler {

/// Whether a national significant number is valid in one region: the same rule, on the same
/// metadata and the same ICU patterns, as libphonenumber's `IsValidNumberForRegion` (its
/// `GetNumberTypeHelper` is not `UNKNOWN`: the general pattern matches and so does one type's).
///
/// libphonenumber answers that through a regex cache behind one process-wide lock, hashing each
/// pattern's text (hundreds of bytes) and building an ICU matcher for every one of up to eleven
/// patterns: ~20 µs a number on an idle core, and it does not scale past one thread. Here the
/// patterns are compiled once, each thread keeps its own matchers, and the likeliest types
/// (mobile, then fixed line) are tried first: validity does not depend on the order.
class RegionPlan {
public:
    /// The plan of `region` (ISO 3166 alpha-2), built on first use and kept for the process's
    /// life; nullptr for a region libphonenumber does not know.
    static const RegionPlan *forRegion(const char *region);

    /// The country calling code numbers of this region carry (44 for GB).
    int countryCode() const { return countryCode_; }

    /// Whether `national` (digits only, as `GetNationalSignificantNumber` writes it) is valid here.
    bool accepts(const std::string &national) const;

private:
    /// One `PhoneNumberDesc`: the lengths it allows (none listed: any) and its pattern.
    struct Description {
        std::vector<int> lengths;
        std::unique_ptr<icu::RegexPattern> pattern;
        bool allowsLength(int length) const;
    };

    RegionPlan() = default;
    bool matches(size_t index, const icu::UnicodeString &national, int length) const;

    int countryCode_ = 0;
    /// The general description first, then every type's, likeliest first.
    std::vector<Description> descriptions_;
};

} // namespace dialler

#endif

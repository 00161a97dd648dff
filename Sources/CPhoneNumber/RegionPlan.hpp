// One region's numbering plan, with ICU patterns compiled once and matchers reused per thread,
// for the numbers most leads carry: those of the server's default region.
#ifndef DIALLER_REGION_PLAN_HPP
#define DIALLER_REGION_PLAN_HPP

#include <memory>
#include <string>
#include <vector>

#include <unicode/regex.h>

namespace i18n::phonenumbers {
class PhoneMetadata;
}

namespace dialler {

/// One region's metadata from libphonenumber, its patterns compiled once, and the two questions
/// the hot path asks of it: is this national number valid here (`accepts`), and how do its
/// patterns treat the digits a number starts with (`fullMatch`, `prefixLength`).
///
/// libphonenumber answers those through a regex cache behind one process-wide lock, hashing each
/// pattern's text (hundreds of bytes) and building an ICU matcher for every match: ~20 µs for a
/// validity check on an idle core, and it does not scale past one thread. Here each thread keeps
/// its own matchers. The patterns are compiled as libphonenumber's ICU adapter compiles them (flags
/// 0), so the answers are the same; PhoneNumbersTests hold them to it.
class RegionPlan {
public:
    /// The plan of `region` (ISO 3166 alpha-2), built on first use and kept for the process's
    /// life; nullptr for a region libphonenumber does not know.
    static const RegionPlan *forRegion(const char *region);

    /// The country calling code numbers of this region carry (44 for GB).
    int countryCode() const { return countryCode_; }
    /// `countryCode` as digits.
    const std::string &countryCodeDigits() const { return countryCodeDigits_; }
    /// Whether this region is its calling code's main country (GB for +44, not JE).
    bool isMainCountry() const { return isMainCountry_; }
    const i18n::phonenumbers::PhoneMetadata &metadata() const { return *metadata_; }

    /// Whether `national` (digits only, as `GetNationalSignificantNumber` writes it) is valid here,
    /// as `IsValidNumberForRegion` decides: the general description matches and so does one type's
    /// (mobile and fixed line are tried first; the answer does not depend on the order).
    bool accepts(const std::string &national) const;

    /// The type of `national` here, as libphonenumber's GetNumberTypeHelper decides it (the
    /// special-rate descriptions in its order, then fixed line and mobile), as a
    /// `PhoneNumberUtil::PhoneNumberType`; UNKNOWN exactly when `accepts` is false.
    int numberType(const std::string &national) const;

    /// The patterns `fullMatch` and `prefixLength` take.
    enum class Pattern { general, internationalPrefix, nationalPrefixForParsing };
    /// Whether `pattern` matches all of `digits` (false when the region has no such pattern).
    bool fullMatch(Pattern pattern, const std::string &digits) const;
    /// How many leading characters of `digits` `pattern` matches, or -1 when it does not match at
    /// the start (or the region has no such pattern).
    int prefixLength(Pattern pattern, const std::string &digits) const;

private:
    /// One `PhoneNumberDesc`: the lengths it allows (none listed: any) and its pattern's index.
    struct Description {
        std::vector<int> lengths;
        int pattern = -1;
        bool allowsLength(int length) const;
    };

    RegionPlan() = default;
    int compile(const std::string &pattern);
    /// This thread's matcher for pattern `index`, reset to `text`; nullptr when there is none.
    icu::RegexMatcher *matcher(int index, const icu::UnicodeString &text) const;
    bool describes(const Description &description, const icu::UnicodeString &national, int length) const;

    const i18n::phonenumbers::PhoneMetadata *metadata_ = nullptr;
    int countryCode_ = 0;
    std::string countryCodeDigits_;
    bool isMainCountry_ = false;
    /// When set, `descriptions_` holds no mobile description: the fixed-line one stands for both.
    bool sameMobileAndFixedLine_ = false;
    std::vector<std::unique_ptr<icu::RegexPattern>> patterns_;
    /// The general description first, then every type's, likeliest first.
    std::vector<Description> descriptions_;
    int namedPatterns_[3] = {-1, -1, -1};
};

} // namespace dialler

#endif

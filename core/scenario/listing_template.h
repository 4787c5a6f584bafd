// Placeholders in a lesson's Python listing: `${name}` stands for the value of parameter `name`, so that the
// listing shows the values that actually ran. `$${` writes a literal `${`; any other `$` is left as it is.
// A placeholder never spans lines, so rendering keeps the listing's line count (steps' `line:` point into it).
#pragma once

#include "scenario/expression.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::core {

struct ParameterDecl;

struct ListingPlaceholder {
    std::size_t offset = 0; // of the '$' in the listing text
    std::size_t length = 0; // "${name}" in full
    std::string name;
};

// A placeholder that cannot be read: unclosed on its line, empty, or not a name.
struct ListingSyntaxError {
    std::size_t offset = 0; // of the offending '$'
    std::string message;
};

struct ListingScan {
    std::vector<ListingPlaceholder> placeholders;
    std::optional<ListingSyntaxError> error; // the first malformed placeholder; scanning stops there
};

ListingScan scanListing(std::string_view listing);

// A parameter value as the listing prints it: whole numbers for integer parameters ("1000"), and Python-style reals
// without floating-point noise for the others ("0.3", not "0.30000000000000004"; "2.0" for a whole real).
std::string formatListingValue(double value, bool integer);

// Substitutes every placeholder naming one of `parameters`: its value from `values`, or its default when unset.
// Placeholders naming no parameter, and malformed ones, are left as written (the loader refuses such files).
std::string renderListingText(std::string_view listing, const std::vector<ParameterDecl>& parameters,
                              const ParameterValues& values);

} // namespace interleave::core

// Placeholders in a lesson's Python listing: scanning (for the loader's errors) and rendering (for the screen).
#include "scenario/listing_template.h"

#include "scenario/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace interleave::core {

namespace {

bool isPlaceholderName(std::string_view name) {
    if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front()))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// One step of the scan at `i`, which holds a '$': an escape, a placeholder, an error, or a plain '$'.
struct Token {
    enum Kind { Plain, Escape, Placeholder, Error } kind = Plain;
    std::size_t length = 1;
    std::string name;
    std::string message;
};

Token readToken(std::string_view text, std::size_t i) {
    Token token;
    if (text.substr(i, 3) == "$${") {
        token.kind = Token::Escape;
        token.length = 3;
        return token;
    }
    if (text.substr(i, 2) != "${") {
        return token;
    }
    const std::size_t lineEnd = std::min(text.find('\n', i), text.size());
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos || close > lineEnd) {
        std::string_view shown = text.substr(i, std::min<std::size_t>(lineEnd - i, 24));
        token.kind = Token::Error;
        token.message = fmt::format("unclosed placeholder '{}': write '${{name}}' on one line, or '$${{' for a "
                                    "literal '${{'",
                                    shown);
        return token;
    }
    token.length = close + 1 - i;
    token.name = std::string(text.substr(i + 2, close - i - 2));
    if (!isPlaceholderName(token.name)) {
        token.kind = Token::Error;
        token.message = fmt::format("malformed placeholder '{}': write '${{name}}' with a parameter's name "
                                    "(letters, digits and '_'), or '$${{' for a literal '${{'",
                                    text.substr(i, token.length));
        return token;
    }
    token.kind = Token::Placeholder;
    return token;
}

} // namespace

ListingScan scanListing(std::string_view listing) {
    ListingScan scan;
    for (std::size_t i = listing.find('$'); i != std::string_view::npos; i = listing.find('$', i)) {
        Token token = readToken(listing, i);
        if (token.kind == Token::Error) {
            scan.error = ListingSyntaxError{i, std::move(token.message)};
            return scan;
        }
        if (token.kind == Token::Placeholder) {
            scan.placeholders.push_back(ListingPlaceholder{i, token.length, std::move(token.name)});
        }
        i += token.length;
    }
    return scan;
}

std::string formatListingValue(double value, bool integer) {
    if (!std::isfinite(value)) {
        return value != value ? "nan" : value > 0 ? "inf" : "-inf";
    }
    if (integer && std::abs(value) < 1e15) {
        return fmt::format("{}", static_cast<long long>(std::llround(value)));
    }
    // 15 significant digits drop the noise of decimal fractions (0.1 + 0.2); then write it as Python would a float.
    std::string text = fmt::format("{:.15g}", value);
    if (text.find_first_of(".eEn") == std::string::npos) {
        text += ".0";
    }
    return text;
}

std::string renderListingText(std::string_view listing, const std::vector<ParameterDecl>& parameters,
                              const ParameterValues& values) {
    std::string out;
    out.reserve(listing.size());
    std::size_t copied = 0;
    for (std::size_t i = listing.find('$'); i != std::string_view::npos; i = listing.find('$', i)) {
        const Token token = readToken(listing, i);
        if (token.kind == Token::Error) {
            break; // the loader refuses such a listing; leave the rest as written
        }
        if (token.kind == Token::Escape) {
            out.append(listing.substr(copied, i - copied));
            out += "${";
            copied = i + token.length;
        } else if (token.kind == Token::Placeholder) {
            const auto decl = std::find_if(parameters.begin(), parameters.end(),
                                           [&](const ParameterDecl& p) { return p.name == token.name; });
            if (decl != parameters.end()) {
                const auto set = values.find(token.name);
                const double value = set != values.end() ? set->second : decl->defaultValue;
                out.append(listing.substr(copied, i - copied));
                out += formatListingValue(value, decl->integer);
                copied = i + token.length;
            }
        }
        i += token.length;
    }
    out.append(listing.substr(copied));
    return out;
}

} // namespace interleave::core

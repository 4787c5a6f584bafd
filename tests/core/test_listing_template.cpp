// Listing placeholders: `${name}` is replaced by the parameter's value; unknown and malformed placeholders are
// refused at load time at their own file:line:col; the built-in lessons render completely.
#include "lesson_text.h"
#include "scenario/lesson_loader.h"
#include "scenario/listing_template.h"
#include "scenario/op_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

namespace interleave::core {
namespace {

using testing::errorOf;

// Lines 1-9: header, parameters n (integer, 3) and ratio (real, 0.5), variant 'one'; line 10 is 'listing: |' and
// the listing's text starts at line 11. `body` is the listing's lines, each already indented (six spaces).
std::string lessonWithListing(const std::string& body) {
    return "id: demo\n"                                  // 1
           "number: 1\n"                                 // 2
           "title: Demo\n"                               // 3
           "topic: asyncio\n"                            // 4
           "parameters:\n"                               // 5
           "  n: {default: 3, min: 1, max: 10}\n"        // 6
           "  ratio: {default: 0.5, min: 0, max: 100}\n" // 7
           "variants:\n"                                 // 8
           "  one:\n"                                    // 9
           "    listing: |\n" +                          // 10 (the header; the text starts at line 11)
           body +
           "    program:\n      - io: 10\n";
}

const std::string kListing = "      import asyncio\n"                             // listing line 1 (file line 11)
                             "\n"                                                 // 2
                             "      N, RATIO = ${n}, ${ratio}\n"                  // 3 (file line 13)
                             "      print(f\"{N} tasks, {{x}}, $\", {'$': 1})\n"; // 4: Python's braces

TEST(ListingTemplate, RendersDefaultsWhenNothingIsSet) {
    const Scenario lesson = parseLesson(lessonWithListing(kListing), "demo.yaml");
    const std::string rendered = lesson.renderListing(lesson.variants.front(), {});
    EXPECT_EQ(rendered, "import asyncio\n\nN, RATIO = 3, 0.5\nprint(f\"{N} tasks, {{x}}, $\", {'$': 1})\n");
}

TEST(ListingTemplate, RendersSetValuesAndDefaultsForTheRest) {
    const Scenario lesson = parseLesson(lessonWithListing(kListing), "demo.yaml");
    const VariantDecl& variant = lesson.variants.front();
    EXPECT_NE(lesson.renderListing(variant, {{"n", 7}}).find("N, RATIO = 7, 0.5\n"), std::string::npos);
    EXPECT_NE(lesson.renderListing(variant, {{"ratio", 0.1 + 0.2}}).find("N, RATIO = 3, 0.3\n"), std::string::npos);
    EXPECT_NE(lesson.renderListing(variant, {{"n", 10}, {"ratio", 2}, {"cores", 16}}).find("N, RATIO = 10, 2.0\n"),
              std::string::npos);
}

TEST(ListingTemplate, FormatsIntegersAsIntegersAndRealsWithoutNoise) {
    EXPECT_EQ(formatListingValue(1000, true), "1000");
    EXPECT_EQ(formatListingValue(100000, true), "100000");
    EXPECT_EQ(formatListingValue(-4, true), "-4");
    EXPECT_EQ(formatListingValue(0.1 + 0.2, false), "0.3");
    EXPECT_EQ(formatListingValue(12.5, false), "12.5");
    EXPECT_EQ(formatListingValue(3, false), "3.0");
    EXPECT_EQ(formatListingValue(1e-5, false), "1e-05");
}

TEST(ListingTemplate, KeepsTheLineCount) {
    const Scenario lesson = parseLesson(lessonWithListing(kListing), "demo.yaml");
    const VariantDecl& variant = lesson.variants.front();
    EXPECT_EQ(countListingLines(lesson.renderListing(variant, {{"n", 10}})), countListingLines(variant.listing));
}

TEST(ListingTemplate, EscapedPlaceholderIsWrittenLiterally) {
    const Scenario lesson = parseLesson(lessonWithListing("      X = '$${n}', ${n}, '$5', '$'\n"), "demo.yaml");
    EXPECT_EQ(lesson.renderListing(lesson.variants.front(), {{"n", 4}}), "X = '${n}', 4, '$5', '$'\n");
    // A dollar amount in an f-string looks like a placeholder: it is refused until written with '$${'.
    EXPECT_ERROR(lessonWithListing("      print(f\"${price:.2f}\")\n"),
                 "bad.yaml:11:15:", "malformed placeholder '${price:.2f}'");
    const Scenario escaped = parseLesson(lessonWithListing("      print(f\"$${price:.2f}\")\n"), "demo.yaml");
    EXPECT_EQ(escaped.renderListing(escaped.variants.front(), {}), "print(f\"${price:.2f}\")\n");
}

TEST(ListingTemplate, UnknownPlaceholderIsReportedWhereItIsWritten) {
    // File line 13: six spaces of indentation, then "N, RATIO = ${n}, " (17 characters): '$' of ${m} at column 24.
    EXPECT_ERROR(lessonWithListing("      import asyncio\n\n      N, RATIO = ${n}, ${m}\n"),
                 "bad.yaml:13:24:", "undefined parameter ${m} in the listing; the lesson declares: n, ratio");
    // On the first line of the block, with a deeper indentation inside it.
    EXPECT_ERROR(lessonWithListing("      ${steps}\n"), "bad.yaml:11:7:", "undefined parameter ${steps}");
    EXPECT_ERROR(lessonWithListing("      def f():\n          return ${nn}\n"), "bad.yaml:12:18:", "${nn}");
}

TEST(ListingTemplate, UnknownPlaceholderInAnExplicitlyIndentedOrOneLineListing) {
    std::string text = lessonWithListing("      x\n");
    // An indentation indicator keeps extra leading spaces in the text: still the placeholder's own column.
    std::string indicated = text;
    indicated.replace(indicated.find("listing: |\n      x\n"), 19, "listing: |2\n         y = ${z}\n");
    EXPECT_ERROR(indicated, "bad.yaml:11:14:", "${z}");
    std::string quoted = text;
    quoted.replace(quoted.find("listing: |\n      x\n"), 19, "listing: \"y = ${z}\"\n");
    EXPECT_ERROR(quoted, "bad.yaml:10:19:", "${z}");
    std::string plain = text;
    plain.replace(plain.find("listing: |\n      x\n"), 19, "listing: y = ${z}\n");
    EXPECT_ERROR(plain, "bad.yaml:10:18:", "${z}");
}

TEST(ListingTemplate, UnknownPlaceholderInTheSharedListing) {
    const std::string text = "id: demo\nnumber: 1\ntitle: Demo\ntopic: asyncio\n"
                             "listing: |\n" // 5
                             "  N = ${n}\n" // 6
                             "variants:\n  one:\n    program:\n      - io: 10\n";
    EXPECT_ERROR(text, "bad.yaml:6:7:", "undefined parameter ${n} in the listing: this lesson declares no parameters");
}

TEST(ListingTemplate, MalformedPlaceholdersAreErrors) {
    EXPECT_ERROR(lessonWithListing("      import asyncio\n      N = ${n\n      M = 1}\n"),
                 "bad.yaml:12:11:", "unclosed placeholder '${n'");
    EXPECT_ERROR(lessonWithListing("      N = ${}\n"), "bad.yaml:11:11:", "malformed placeholder '${}'");
    EXPECT_ERROR(lessonWithListing("      N = ${2n}\n"), "bad.yaml:11:11:", "malformed placeholder '${2n}'");
    EXPECT_ERROR(lessonWithListing("      N = ${ n }\n"), "bad.yaml:11:11:", "malformed placeholder '${ n }'");
    EXPECT_ERROR(lessonWithListing("      N = ${n}${\n"), "bad.yaml:11:15:", "unclosed placeholder");
}

TEST(ListingTemplate, ScanFindsPlaceholdersAndSkipsEscapes) {
    const ListingScan scan = scanListing("A = ${a}, $${b}, $c, ${c_2}");
    ASSERT_FALSE(scan.error);
    ASSERT_EQ(scan.placeholders.size(), 2u);
    EXPECT_EQ(scan.placeholders[0].name, "a");
    EXPECT_EQ(scan.placeholders[0].offset, 4u);
    EXPECT_EQ(scan.placeholders[0].length, 4u);
    EXPECT_EQ(scan.placeholders[1].name, "c_2");
    EXPECT_EQ(scan.placeholders[1].offset, 21u);
}

TEST(BuiltinLessonListings, RenderCompletelyWithTheSameLineCount) {
    const auto lessons = loadLessonDirectory(INTERLEAVE_TEST_LESSON_DIR);
    ASSERT_GE(lessons.size(), 9u);
    for (const auto& lesson : lessons) {
        std::set<std::string> used;
        for (const auto& variant : lesson.variants) {
            SCOPED_TRACE(lesson.id + "/" + variant.name);
            const std::string& raw = lesson.listingFor(variant);
            const ListingScan scan = scanListing(raw);
            EXPECT_FALSE(scan.placeholders.empty()) << "the listing shows no parameter";
            for (const auto& placeholder : scan.placeholders) {
                used.insert(placeholder.name);
            }
            ParameterValues values = lesson.defaults();
            for (auto& [name, value] : values) {
                value = lesson.findParameter(name)->maximum; // not the defaults: they must not be written in
            }
            for (const ParameterValues& set : {ParameterValues{}, values}) {
                const std::string rendered = lesson.renderListing(variant, set);
                EXPECT_EQ(rendered.find("${"), std::string::npos) << rendered;
                EXPECT_EQ(countListingLines(rendered), countListingLines(raw));
            }
        }
        for (const auto& parameter : lesson.parameters) {
            EXPECT_EQ(used.count(parameter.name), 1u) << lesson.id << ": no listing shows " << parameter.name;
        }
    }
}

TEST(BuiltinLessonListings, SemaphoreListingShowsTheRequestsThatRan) {
    const Scenario lesson = loadLessonFile(std::filesystem::path(INTERLEAVE_TEST_LESSON_DIR) / "06-semaphore.yaml");
    const VariantDecl* semaphore = lesson.findVariant("semaphore");
    ASSERT_NE(semaphore, nullptr);
    const std::string rendered = lesson.renderListing(*semaphore, {{"requests", 1000}});
    EXPECT_NE(rendered.find("REQUESTS, LATENCY_MS, LIMIT = 1000, 50, 10\n"), std::string::npos) << rendered;
    EXPECT_NE(lesson.renderListing(*semaphore, {}).find("REQUESTS, LATENCY_MS, LIMIT = 100, 50, 10\n"),
              std::string::npos);
}

} // namespace
} // namespace interleave::core

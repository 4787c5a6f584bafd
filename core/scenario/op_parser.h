// Reads a variant's program (the list of steps) and checks where each step may run.
#pragma once

#include "scenario/scenario.h"
#include "scenario/yaml_fields.h"

#include <cstddef>
#include <vector>

namespace interleave::core {

// A lesson file is untrusted: YAML aliases can make a step list contain itself, or multiply a few lines into
// billions of steps. Steps are counted as they are read, over the whole lesson, and nested lists are bounded.
inline constexpr int kMaxStepNesting = 32;
inline constexpr std::size_t kMaxLessonSteps = 10'000;

struct ProgramBudget {
    std::size_t steps = 0; // read so far, every variant of the lesson
    int nesting = 0;       // step lists being read, one inside another
};

struct ProgramContext {
    const LessonSource& source;
    const Scenario& scenario; // for its primitives
    std::string variantName;
    int listingLines = 0;  // lines in the variant's listing; `line:` may not go beyond
    ProgramBudget& budget; // shared by the lesson's variants
};

// `field` is the variant's `program:` entry (or a `do:`), a list of steps.
std::vector<Op> parseProgram(const ProgramContext& context, const YamlField& field);

// Placement rules that need the whole variant: pools present for the placements used, only worker-safe ops inside
// process-pool work, `on: loop` only in the async model.
void checkPlacements(const LessonSource& source, const VariantDecl& variant);

// The number of lines in a listing ("a\nb\n" has 2).
int countListingLines(const std::string& listing);

} // namespace interleave::core

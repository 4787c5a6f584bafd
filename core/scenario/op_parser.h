// Reads a variant's program (the list of steps) and checks where each step may run.
#pragma once

#include "scenario/scenario.h"
#include "scenario/yaml_fields.h"

#include <vector>

namespace interleave::core {

struct ProgramContext {
    const LessonSource& source;
    const Scenario& scenario; // for its primitives
    std::string variantName;
    int listingLines = 0; // lines in the variant's listing; `line:` may not go beyond
};

// `field` is the variant's `program:` entry (or a `do:`), a list of steps.
std::vector<Op> parseProgram(const ProgramContext& context, const YamlField& field);

// Placement rules that need the whole variant: pools present for the placements used, only worker-safe ops inside
// process-pool work, `on: loop` only in the async model.
void checkPlacements(const LessonSource& source, const VariantDecl& variant);

// The number of lines in a listing ("a\nb\n" has 2).
int countListingLines(const std::string& listing);

} // namespace interleave::core

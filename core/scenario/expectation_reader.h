// Reads a lesson's expectations and checks that each metric can be measured on its variant.
#pragma once

#include "scenario/scenario.h"
#include "scenario/yaml_fields.h"

namespace interleave::core {

// The name in `field`, which must be one of the scenario's variants (error lists them).
std::string readVariantReference(const LessonSource& source, const Scenario& scenario, const YamlField& field);

// One item of the `expectations:` list. The scenario's variants and primitives must already be read.
ExpectationDecl readExpectation(const LessonSource& source, const Scenario& scenario, const YAML::Node& node);

} // namespace interleave::core

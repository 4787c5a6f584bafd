// Machine-readable lesson reports (--json): one JSON document per command on stdout.
#pragma once

#include "metrics/lesson_report.h"

#include <nlohmann/json.hpp>

namespace interleave::cli {

// {"lesson", "alias", "title", "interrupted", "passed", "parameters":{...},
//  "variants":[{"name","status","error","makespan_ms","speedup","max_lag_ms","peaks":{...},"tasks","events"}],
//  "expectations":[{"text","variant","metric","measured","expected","verdict","detail"}]}
// Keys keep this order. Figures that could not be measured are null.
nlohmann::ordered_json reportToJson(const core::LessonReport& report, const std::string& alias, bool interrupted);

} // namespace interleave::cli

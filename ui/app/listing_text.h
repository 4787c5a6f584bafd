// The Python listing the main window shows, with the parameter values it stands for filled in.
#pragma once

#include "app/run_controller.h"
#include "panels/parameter_panel.h"
#include "scenario/scenario.h"

#include <QString>

namespace interleave::ui {

// True when the controller holds a run of `scenario` (running, finished or opened from a file): the listing then
// shows that run's parameters rather than what the parameter panel holds now.
inline bool showsRunOf(const RunController& controller, const core::Scenario& scenario) {
    return controller.scenario() != nullptr && controller.scenario()->id == scenario.id && !controller.slots().empty();
}

// `variant`'s listing rendered with the parameters of the run on screen, or with the panel's values when no run of
// this lesson is shown.
inline QString listingText(const core::Scenario& scenario, const core::VariantDecl& variant,
                           const RunController& controller, const ParameterPanel& panel) {
    return QString::fromStdString(
        scenario.renderListing(variant, showsRunOf(controller, scenario) ? controller.parameters() : panel.values()));
}

} // namespace interleave::ui

// Run → Sweep a Parameter…: the user picks a parameter of the lesson and its values (a list, a range or a doubling
// range), checked as they type, for the chosen variant.
#pragma once

#include "scenario/scenario.h"

#include <QDialog>

#include <optional>
#include <string>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace interleave::ui {

class SweepDialog : public QDialog {
    Q_OBJECT

public:
    // `variant`: the variant to sweep (the window's chosen one); the lesson's own sweep of it, if any, is the start.
    SweepDialog(const core::Scenario& scenario, const std::string& variant, QWidget* parent = nullptr);

    // The sweep asked for, valid when the dialog was accepted (with the lesson's theory when it sweeps the same
    // variant and parameter).
    std::optional<core::SweepDecl> sweep() const;

private:
    void check(); // says what is wrong with the values, and enables OK only when nothing is
    std::optional<core::SweepDecl> build(QString* problem) const; // nullopt, with why in `problem`, when refused

    const core::Scenario& m_scenario;
    std::string m_variant;
    QComboBox* m_parameter = nullptr;
    QLineEdit* m_values = nullptr;
    QLabel* m_problem = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

} // namespace interleave::ui

#include "panels/sweep_dialog.h"

#include "metrics/sweep.h"
#include "scenario/lesson_error.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

#include <cmath>

namespace interleave::ui {

namespace {

// What the values field starts with for a parameter: the lesson's own sweep's values, else its range doubling (from
// its minimum, or 1) when that makes a handful of values, else its minimum to its maximum in steps of one.
QString suggestedValues(const core::Scenario& scenario, const core::ParameterDecl& parameter,
                        const std::string& variant) {
    if (const core::SweepDecl* sweep = core::findSweep(scenario, variant);
        sweep != nullptr && sweep->parameter == parameter.name) {
        QStringList values;
        for (const double value : sweep->values) {
            values << QString::number(value);
        }
        return values.join(QLatin1Char(','));
    }
    const double from = std::max(parameter.minimum, 1.0);
    if (parameter.maximum / from >= 8) {
        return QStringLiteral("%1..%2x2").arg(from).arg(std::min(parameter.maximum, from * 64));
    }
    return QStringLiteral("%1..%2").arg(parameter.minimum).arg(std::min(parameter.maximum, parameter.minimum + 7));
}

} // namespace

SweepDialog::SweepDialog(const core::Scenario& scenario, const std::string& variant, QWidget* parent)
    : QDialog(parent), m_scenario(scenario), m_variant(variant) {
    setWindowTitle(tr("Sweep a Parameter"));
    auto* form = new QFormLayout(this);
    form->addRow(new QLabel(tr("Runs variant <b>%1</b> once per value, one block each, and draws the makespan and "
                               "throughput against the parameter.")
                                .arg(QString::fromStdString(variant).toHtmlEscaped()),
                            this));
    m_parameter = new QComboBox(this);
    for (const core::ParameterDecl& parameter : scenario.parameters) {
        m_parameter->addItem(QString::fromStdString(parameter.label), QString::fromStdString(parameter.name));
    }
    form->addRow(tr("&Parameter:"), m_parameter);
    m_values = new QLineEdit(this);
    m_values->setPlaceholderText(tr("1,2,4,8 or 1..8 or 1..64x2"));
    m_values->setToolTip(tr("A list (1,2,4,8), a range in steps of one (1..8) or a range that multiplies "
                            "(1..64x2: 1, 2, 4, … 64); at most %1 values, each within the parameter's range.")
                             .arg(core::kMaxSweepValues));
    form->addRow(tr("&Values:"), m_values);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    form->addRow(m_problem);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Run Sweep"));
    form->addRow(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_values, &QLineEdit::textChanged, this, &SweepDialog::check);
    connect(m_parameter, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0) {
            m_values->setText(
                suggestedValues(m_scenario, m_scenario.parameters[static_cast<std::size_t>(index)], m_variant));
        }
    });
    // The lesson's own sweep of this variant first, if it has one.
    int start = 0;
    if (const core::SweepDecl* sweep = core::findSweep(scenario, variant)) {
        start = std::max(0, m_parameter->findData(QString::fromStdString(sweep->parameter)));
    }
    m_parameter->setCurrentIndex(start);
    if (!scenario.parameters.empty()) {
        m_values->setText(suggestedValues(scenario, scenario.parameters[static_cast<std::size_t>(start)], variant));
    }
    check();
}

std::optional<core::SweepDecl> SweepDialog::sweep() const {
    return build(nullptr);
}

std::optional<core::SweepDecl> SweepDialog::build(QString* problem) const {
    auto refuse = [problem](const QString& why) {
        if (problem != nullptr) {
            *problem = why;
        }
        return std::optional<core::SweepDecl>();
    };
    const int index = m_parameter->currentIndex();
    if (index < 0 || index >= static_cast<int>(m_scenario.parameters.size())) {
        return refuse(tr("This lesson has no parameters to sweep."));
    }
    const core::ParameterDecl& parameter = m_scenario.parameters[static_cast<std::size_t>(index)];
    core::SweepDecl sweep;
    sweep.variant = m_variant;
    sweep.parameter = parameter.name;
    try {
        sweep.values = core::parseSweepValues(m_values->text().trimmed().toStdString());
    } catch (const core::UsageError& error) {
        return refuse(QString::fromStdString(error.what()));
    }
    for (const double value : sweep.values) {
        if (value < parameter.minimum || value > parameter.maximum ||
            (parameter.integer && value != std::floor(value))) {
            return refuse(tr("%1 is outside %2: from %3 to %4%5.")
                              .arg(value)
                              .arg(QString::fromStdString(parameter.label))
                              .arg(parameter.minimum)
                              .arg(parameter.maximum)
                              .arg(parameter.integer ? tr(", whole numbers") : QString()));
        }
    }
    if (const core::SweepDecl* lesson = core::findSweep(m_scenario, m_variant);
        lesson != nullptr && lesson->parameter == parameter.name) {
        sweep.theoryMs = lesson->theoryMs;
    }
    return sweep;
}

void SweepDialog::check() {
    QString problem;
    build(&problem);
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace interleave::ui

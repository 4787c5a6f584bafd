// ParameterPanel: builds the rows, keeps each slider and spin box in step, and clamps values to their ranges.
#include "panels/parameter_panel.h"

#include "charts/round_step.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace interleave::ui {

namespace {

// A round step of about a hundredth of the range for fractional parameters: 0.01, 0.05, 0.1 ...
double fractionalStep(double minimum, double maximum) {
    return roundStepUp((maximum - minimum) / 100.0);
}

int decimalsFor(double step) {
    return std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 6);
}

// A range this wide is unusable on a linear slider: the small values, usually the interesting ones, get no room.
bool wantsLogarithmicSlider(const core::ParameterDecl& decl) {
    return decl.maximum - decl.minimum >= 1000.0;
}

} // namespace

ParameterPanel::ParameterPanel(QWidget* parent)
    : QWidget(parent), m_grid(new QGridLayout), m_emptyLabel(new QLabel(tr("This lesson has no parameters."), this)),
      m_resetButton(new QPushButton(tr("Reset to defaults"), this)) {
    m_grid->setColumnStretch(0, 1);
    m_emptyLabel->setEnabled(false);
    m_resetButton->setEnabled(false);
    m_resetButton->setToolTip(tr("Put every parameter back to the lesson's default"));

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_resetButton);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(m_grid);
    layout->addWidget(m_emptyLabel);
    layout->addLayout(buttons);
    layout->addStretch(1);

    connect(m_resetButton, &QPushButton::clicked, this, &ParameterPanel::resetToDefaults);
}

void ParameterPanel::setScenario(const core::Scenario& scenario) {
    clearRows();
    for (const auto& decl : scenario.parameters) {
        addRow(decl);
    }
    m_emptyLabel->setVisible(m_rows.empty());
    m_resetButton->setEnabled(!m_rows.empty());
}

void ParameterPanel::clearRows() {
    for (auto& row : m_rows) {
        delete row.label;
        delete row.spin;
        delete row.slider;
    }
    m_rows.clear();
}

void ParameterPanel::addRow(const core::ParameterDecl& decl) {
    Row row;
    row.decl = decl;
    const int gridRow = static_cast<int>(m_rows.size());
    const std::size_t index = m_rows.size();

    QString text = QString::fromStdString(decl.label.empty() ? decl.name : decl.label);
    if (!decl.unit.empty()) {
        text += QStringLiteral(" (%1)").arg(QString::fromStdString(decl.unit));
    }
    const QString tooltip = QString::fromStdString(decl.description);
    const QString suffix = decl.unit.empty() ? QString() : QStringLiteral(" ") + QString::fromStdString(decl.unit);

    row.label = new QLabel(text, this);
    if (decl.integer) {
        auto* spin = new QSpinBox(this);
        spin->setRange(static_cast<int>(std::ceil(decl.minimum)), static_cast<int>(std::floor(decl.maximum)));
        spin->setSingleStep(1);
        spin->setSuffix(suffix);
        spin->setValue(static_cast<int>(std::lround(decl.defaultValue)));
        connect(spin, &QSpinBox::valueChanged, this, [this, index] { onSpinChanged(index); });
        row.spin = spin;
    } else {
        auto* spin = new QDoubleSpinBox(this);
        const double step = fractionalStep(decl.minimum, decl.maximum);
        spin->setDecimals(decimalsFor(step));
        spin->setRange(decl.minimum, decl.maximum);
        spin->setSingleStep(step);
        spin->setSuffix(suffix);
        spin->setValue(decl.defaultValue);
        connect(spin, &QDoubleSpinBox::valueChanged, this, [this, index] { onSpinChanged(index); });
        row.spin = spin;
    }
    // Typing "1000" should be one change, not four runs.
    row.spin->setKeyboardTracking(false);
    row.spin->setAccelerated(true);
    row.spin->setObjectName(QString::fromStdString(decl.name));

    row.logarithmic = wantsLogarithmicSlider(decl);
    row.mapped = row.logarithmic || !decl.integer || decl.maximum - decl.minimum > kSliderSteps;
    row.slider = new QSlider(Qt::Horizontal, this);
    if (row.mapped) {
        row.slider->setRange(0, kSliderSteps);
        row.slider->setPageStep(kSliderSteps / 10);
    } else {
        row.slider->setRange(static_cast<int>(decl.minimum), static_cast<int>(decl.maximum));
        row.slider->setPageStep(std::max(1, static_cast<int>((decl.maximum - decl.minimum) / 10)));
    }
    row.slider->setValue(sliderPosition(row, decl.defaultValue));
    connect(row.slider, &QSlider::valueChanged, this, [this, index](int position) { onSliderMoved(index, position); });

    for (QWidget* widget :
         {static_cast<QWidget*>(row.label), static_cast<QWidget*>(row.spin), static_cast<QWidget*>(row.slider)}) {
        widget->setToolTip(tooltip);
    }
    row.label->setBuddy(row.spin);
    row.label->setWordWrap(true);
    // The slider gets a row of its own, as wide as the dock: beside the label and spin box a narrow dock (a 1280×720
    // screen) left it a few pixels, an empty box.
    row.slider->setMinimumWidth(80);
    m_grid->addWidget(row.label, 2 * gridRow, 0);
    m_grid->addWidget(row.spin, 2 * gridRow, 1);
    m_grid->addWidget(row.slider, 2 * gridRow + 1, 0, 1, 2);
    m_rows.push_back(row);
}

core::ParameterValues ParameterPanel::values() const {
    core::ParameterValues result;
    for (const auto& row : m_rows) {
        result[row.decl.name] = spinValue(row);
    }
    return result;
}

void ParameterPanel::setValues(const core::ParameterValues& values) {
    const core::ParameterValues before = this->values();
    m_bulkUpdate = true;
    for (const auto& row : m_rows) {
        if (auto found = values.find(row.decl.name); found != values.end()) {
            setSpinValue(row, std::clamp(found->second, row.decl.minimum, row.decl.maximum));
        }
    }
    m_bulkUpdate = false;
    if (this->values() != before) {
        Q_EMIT valuesChanged();
    }
}

void ParameterPanel::resetToDefaults() {
    core::ParameterValues defaults;
    for (const auto& row : m_rows) {
        defaults[row.decl.name] = row.decl.defaultValue;
    }
    setValues(defaults);
}

QAbstractSpinBox* ParameterPanel::spinBox(const QString& name) const {
    const std::string wanted = name.toStdString();
    for (const auto& row : m_rows) {
        if (row.decl.name == wanted) {
            return row.spin;
        }
    }
    return nullptr;
}

QSlider* ParameterPanel::slider(const QString& name) const {
    const std::string wanted = name.toStdString();
    for (const auto& row : m_rows) {
        if (row.decl.name == wanted) {
            return row.slider;
        }
    }
    return nullptr;
}

double ParameterPanel::spinValue(const Row& row) const {
    if (auto* spin = qobject_cast<QSpinBox*>(row.spin)) {
        return spin->value();
    }
    return static_cast<QDoubleSpinBox*>(row.spin)->value();
}

void ParameterPanel::setSpinValue(const Row& row, double value) {
    if (auto* spin = qobject_cast<QSpinBox*>(row.spin)) {
        spin->setValue(static_cast<int>(std::lround(value)));
    } else {
        static_cast<QDoubleSpinBox*>(row.spin)->setValue(value);
    }
}

int ParameterPanel::sliderPosition(const Row& row, double value) const {
    const double minimum = row.decl.minimum;
    const double maximum = row.decl.maximum;
    if (!row.mapped) {
        return static_cast<int>(std::lround(value));
    }
    if (maximum <= minimum) {
        return 0;
    }
    double fraction = (value - minimum) / (maximum - minimum);
    if (row.logarithmic) {
        // Offset by one so the minimum maps to 0 whatever its value (it may be 0).
        fraction = std::log1p(value - minimum) / std::log1p(maximum - minimum);
    }
    return static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * kSliderSteps));
}

double ParameterPanel::valueAtSlider(const Row& row, int position) const {
    const double minimum = row.decl.minimum;
    const double maximum = row.decl.maximum;
    if (!row.mapped) {
        return position;
    }
    const double fraction = static_cast<double>(position) / kSliderSteps;
    double value = minimum + fraction * (maximum - minimum);
    if (row.logarithmic) {
        value = minimum + std::expm1(fraction * std::log1p(maximum - minimum));
    }
    if (row.decl.integer) {
        value = std::round(value);
    }
    return std::clamp(value, minimum, maximum);
}

void ParameterPanel::onSpinChanged(std::size_t index) {
    const Row& row = m_rows[index];
    if (!m_syncing) {
        m_syncing = true;
        row.slider->setValue(sliderPosition(row, spinValue(row)));
        m_syncing = false;
    }
    if (!m_bulkUpdate) {
        Q_EMIT valuesChanged();
    }
}

void ParameterPanel::onSliderMoved(std::size_t index, int position) {
    if (m_syncing) {
        return;
    }
    // The spin box keeps the exact value; the slider stays where the user put it.
    m_syncing = true;
    setSpinValue(m_rows[index], valueAtSlider(m_rows[index], position));
    m_syncing = false;
}

} // namespace interleave::ui

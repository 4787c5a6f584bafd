// The lesson browser: a filterable tree of lessons grouped by topic.
#pragma once

#include "scenario/scenario.h"

#include <QString>
#include <QWidget>

#include <vector>

class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace interleave::ui {

class LessonTreeModel;

class LessonBrowser : public QWidget {
    Q_OBJECT

public:
    explicit LessonBrowser(QWidget* parent = nullptr);

    void setLessons(std::vector<core::Scenario> lessons);
    void addLesson(core::Scenario lesson);
    // Selects and reveals the lesson without emitting lessonActivated.
    void selectLesson(const QString& id);
    QString currentLessonId() const;

    LessonTreeModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QLineEdit* filterEdit() const { return m_filter; }

Q_SIGNALS:
    // A lesson was clicked, activated (Enter / double click) or chosen with the keyboard.
    void lessonActivated(const QString& id);

private:
    void activate(const QModelIndex& proxyIndex);

    LessonTreeModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTreeView* m_view = nullptr;
    QLineEdit* m_filter = nullptr;
    bool m_selecting = false;
};

} // namespace interleave::ui

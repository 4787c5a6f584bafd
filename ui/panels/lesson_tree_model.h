// The lesson browser's model: topics at the top level, lessons (sorted by number) beneath them.
#pragma once

#include "scenario/scenario.h"

#include <QAbstractItemModel>
#include <QString>

#include <vector>

namespace interleave::ui {

class LessonTreeModel : public QAbstractItemModel {
    Q_OBJECT

public:
    static constexpr int LessonIdRole = Qt::UserRole; // the lesson id ("gather") on lesson rows; invalid on topics

    explicit LessonTreeModel(std::vector<core::Scenario> lessons = {}, QObject* parent = nullptr);

    void setLessons(std::vector<core::Scenario> lessons);
    // Adds (or replaces, when the id exists) one lesson, e.g. from File -> Open: into its topic, sorted by number.
    void addLesson(core::Scenario lesson);

    QModelIndex indexForLesson(const QString& id) const;
    const core::Scenario* lesson(const QString& id) const;
    const core::Scenario* lessonAt(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

private:
    struct Topic {
        QString name;
        std::vector<core::Scenario> lessons; // sorted by number
    };

    // Internal ids: 0 marks a topic row; a lesson row stores its topic's index + 1.
    static constexpr quintptr kTopicId = 0;

    std::vector<Topic> m_topics;
};

} // namespace interleave::ui

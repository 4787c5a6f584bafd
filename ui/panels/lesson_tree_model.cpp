// LessonTreeModel: a two-level tree (topic -> lesson) over the loaded Scenarios.
#include "panels/lesson_tree_model.h"

#include <algorithm>

namespace interleave::ui {

namespace {

QString lessonLabel(const core::Scenario& lesson) {
    return QStringLiteral("%1  %2").arg(QString::fromStdString(lesson.alias()), QString::fromStdString(lesson.title));
}

} // namespace

LessonTreeModel::LessonTreeModel(std::vector<core::Scenario> lessons, QObject* parent) : QAbstractItemModel(parent) {
    setLessons(std::move(lessons));
}

void LessonTreeModel::setLessons(std::vector<core::Scenario> lessons) {
    beginResetModel();
    m_topics.clear();
    // Topics appear in order of their first lesson's number.
    std::stable_sort(lessons.begin(), lessons.end(),
                     [](const core::Scenario& a, const core::Scenario& b) { return a.number < b.number; });
    for (auto& lesson : lessons) {
        const QString topicName = QString::fromStdString(lesson.topic);
        auto topic =
            std::find_if(m_topics.begin(), m_topics.end(), [&](const Topic& t) { return t.name == topicName; });
        if (topic == m_topics.end()) {
            m_topics.push_back(Topic{topicName, {}});
            topic = std::prev(m_topics.end());
        }
        topic->lessons.push_back(std::move(lesson));
    }
    endResetModel();
}

void LessonTreeModel::addLesson(core::Scenario lesson) {
    const QString id = QString::fromStdString(lesson.id);
    if (const QModelIndex existing = indexForLesson(id); existing.isValid()) {
        // Same id: remove the old entry first (it may even have moved topic).
        const QModelIndex topicIndex = existing.parent();
        auto& lessons = m_topics[static_cast<std::size_t>(topicIndex.row())].lessons;
        beginRemoveRows(topicIndex, existing.row(), existing.row());
        lessons.erase(lessons.begin() + existing.row());
        endRemoveRows();
        if (lessons.empty()) {
            beginRemoveRows({}, topicIndex.row(), topicIndex.row());
            m_topics.erase(m_topics.begin() + topicIndex.row());
            endRemoveRows();
        }
    }

    const QString topicName = QString::fromStdString(lesson.topic);
    auto topic = std::find_if(m_topics.begin(), m_topics.end(), [&](const Topic& t) { return t.name == topicName; });
    if (topic == m_topics.end()) {
        // A new topic goes where its lesson number puts it among the others' first lessons.
        auto position = std::find_if(m_topics.begin(), m_topics.end(), [&](const Topic& t) {
            return !t.lessons.empty() && t.lessons.front().number > lesson.number;
        });
        const int row = static_cast<int>(position - m_topics.begin());
        beginInsertRows({}, row, row);
        topic = m_topics.insert(position, Topic{topicName, {}});
        endInsertRows();
    }

    const int topicRow = static_cast<int>(topic - m_topics.begin());
    auto position = std::upper_bound(topic->lessons.begin(), topic->lessons.end(), lesson.number,
                                     [](int number, const core::Scenario& other) { return number < other.number; });
    const int row = static_cast<int>(position - topic->lessons.begin());
    beginInsertRows(index(topicRow, 0), row, row);
    topic->lessons.insert(position, std::move(lesson));
    endInsertRows();
}

QModelIndex LessonTreeModel::indexForLesson(const QString& id) const {
    const std::string wanted = id.toStdString();
    for (std::size_t topic = 0; topic < m_topics.size(); ++topic) {
        const auto& lessons = m_topics[topic].lessons;
        for (std::size_t row = 0; row < lessons.size(); ++row) {
            if (lessons[row].id == wanted) {
                return createIndex(static_cast<int>(row), 0, static_cast<quintptr>(topic + 1));
            }
        }
    }
    return {};
}

const core::Scenario* LessonTreeModel::lesson(const QString& id) const {
    return lessonAt(indexForLesson(id));
}

const core::Scenario* LessonTreeModel::lessonAt(const QModelIndex& index) const {
    if (!index.isValid() || index.model() != this || index.internalId() == kTopicId) {
        return nullptr;
    }
    const auto& lessons = m_topics[static_cast<std::size_t>(index.internalId() - 1)].lessons;
    return &lessons[static_cast<std::size_t>(index.row())];
}

QModelIndex LessonTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (!hasIndex(row, column, parent)) {
        return {};
    }
    if (!parent.isValid()) {
        return createIndex(row, column, kTopicId);
    }
    return createIndex(row, column, static_cast<quintptr>(parent.row() + 1));
}

QModelIndex LessonTreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == kTopicId) {
        return {};
    }
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kTopicId);
}

int LessonTreeModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) {
        return static_cast<int>(m_topics.size());
    }
    if (parent.column() != 0 || parent.internalId() != kTopicId) {
        return 0;
    }
    return static_cast<int>(m_topics[static_cast<std::size_t>(parent.row())].lessons.size());
}

int LessonTreeModel::columnCount(const QModelIndex& /*parent*/) const {
    return 1;
}

QVariant LessonTreeModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    if (index.internalId() == kTopicId) {
        const Topic& topic = m_topics[static_cast<std::size_t>(index.row())];
        if (role == Qt::DisplayRole) {
            return topic.name;
        }
        return {};
    }
    const core::Scenario* scenario = lessonAt(index);
    switch (role) {
    case Qt::DisplayRole:
        return lessonLabel(*scenario);
    case Qt::ToolTipRole:
        return QString::fromStdString(scenario->summary);
    case LessonIdRole:
        return QString::fromStdString(scenario->id);
    default:
        return {};
    }
}

Qt::ItemFlags LessonTreeModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) {
        return Qt::NoItemFlags;
    }
    if (index.internalId() == kTopicId) {
        return Qt::ItemIsEnabled;
    }
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

} // namespace interleave::ui

// The import thread and its once-every-50-ms report to the GUI thread.
#include "app/trace_import_job.h"

#include <QFileInfo>

namespace interleave::ui {

TraceImportJob::TraceImportJob(QString path, QObject* parent) : QObject(parent), m_path(std::move(path)) {
    m_poll.setInterval(50);
    connect(&m_poll, &QTimer::timeout, this, &TraceImportJob::poll);
}

TraceImportJob::~TraceImportJob() {
    cancel();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void TraceImportJob::start() {
    m_thread = std::thread([this] {
        try {
            m_result = core::importChromeTrace(m_path.toStdString(), [this](std::uint64_t done, std::uint64_t total) {
                m_bytesRead.store(done, std::memory_order_relaxed);
                m_totalBytes.store(total, std::memory_order_relaxed);
                return !m_cancel.load(std::memory_order_relaxed);
            });
            m_read.store(true, std::memory_order_relaxed);
            auto addSlot = [this](std::string name, core::Trace trace) {
                core::VariantRun run;
                run.variant = std::move(name);
                run.outcome.status = core::RunStatus::Completed;
                run.trace = std::move(trace);
                m_slots.push_back(RunController::finishedSlot(std::move(run)));
            };
            std::vector<core::ImportedVariant> variants = core::splitInterleaveVariants(*m_result);
            for (core::ImportedVariant& variant : variants) {
                addSlot(std::move(variant.name), std::move(variant.trace));
            }
            if (variants.empty()) {
                addSlot(QFileInfo(m_path).completeBaseName().toStdString(), std::move(m_result->trace));
            } else {
                m_result->trace = {}; // its variants hold it now
            }
        } catch (const core::ImportCancelled&) {
            m_wasCancelled = true;
        } catch (const std::exception& error) {
            m_error = QString::fromStdString(error.what());
        }
        m_done.store(true, std::memory_order_release);
    });
    m_poll.start();
}

void TraceImportJob::poll() {
    if (m_done.load(std::memory_order_acquire)) {
        m_poll.stop();
        m_thread.join();
        Q_EMIT finished();
        return;
    }
    if (m_read.load(std::memory_order_relaxed)) {
        if (!m_saidBuilding) {
            m_saidBuilding = true;
            Q_EMIT building();
        }
        return;
    }
    Q_EMIT progress(static_cast<qint64>(m_bytesRead.load(std::memory_order_relaxed)),
                    static_cast<qint64>(m_totalBytes.load(std::memory_order_relaxed)));
}

} // namespace interleave::ui

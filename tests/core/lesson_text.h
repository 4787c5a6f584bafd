// Small lesson texts shared by the loader and plan tests, with their line numbers spelled out.
#pragma once

#include "scenario/lesson_loader.h"

#include <gtest/gtest.h>

#include <string>

namespace interleave::core::testing {

// Lines 1-17: the header, parameters n (3, 1..10) and ms (100, 1..1000), primitives sem (semaphore of 2),
// q (queue of $n) and ev (event), then variant 'one' with a 2-line listing, ending at line 17 "    program:".
// Steps appended by a test start at line 18 with six spaces before the '-'.
inline const std::string kLessonHead = R"(id: demo
number: 1
title: Demo
topic: asyncio
parameters:
  n: {default: 3, min: 1, max: 10}
  ms: {default: 100, min: 1, max: 1000, unit: ms}
primitives:
  sem: {kind: semaphore, capacity: 2}
  q: {kind: queue, capacity: $n}
  ev: event
variants:
  one:
    listing: |
      for i in range(N):
          await asyncio.sleep(MS / 1000)
    program:
)";

inline std::string lessonWith(const std::string& tail) {
    return kLessonHead + tail;
}

// The whole "file:line:col: message" of the LessonError that parsing `text` as bad.yaml raises.
inline std::string errorOf(const std::string& text) {
    try {
        parseLesson(text, "bad.yaml");
    } catch (const LessonError& error) {
        return error.what();
    }
    return "no error";
}

} // namespace interleave::core::testing

// The message starts with `prefix` ("bad.yaml:7:11:") and says `fragment` somewhere.
#define EXPECT_ERROR(text, prefix, fragment)                                                                           \
    do {                                                                                                               \
        const std::string message = ::interleave::core::testing::errorOf(text);                                        \
        EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;                                                            \
        EXPECT_NE(message.find(fragment), std::string::npos) << message;                                               \
    } while (false)

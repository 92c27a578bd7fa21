// A tiny fork-join pool for the elementwise kernels: the calling (JS) thread always takes part, so with
// `threads == 1` nothing is ever handed to another thread. Workers spin briefly after a job before
// sleeping, because TF.js issues kernels back to back and a futex wake-up costs more than most of them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hs {

class ThreadPool {
 public:
  ~ThreadPool() { resize(1); }

  // Total number of threads taking part in a parallel loop, the caller included.
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    if (threads < 1) threads = 1;
    if (threads == size()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { loop(i); });
  }

  // Runs fn(begin, end) over [0, n) in at most size() contiguous chunks of at least `grain` items.
  void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    int64_t parts = static_cast<int64_t>(size());
    if (grain < 1) grain = 1;
    if (n / grain < parts) parts = n / grain;
    if (parts <= 1) {
      fn(0, n);
      return;
    }
    job_ = &fn;
    jobSize_ = n;
    jobParts_ = parts;
    pending_.store(static_cast<int>(parts - 1), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    runPart(0);
    while (pending_.load(std::memory_order_acquire) > 0) {
      // The helpers finish within microseconds of us; yielding keeps a busy machine fair.
      std::this_thread::yield();
    }
    job_ = nullptr;
  }

 private:
  void runPart(int64_t part) {
    const int64_t begin = jobSize_ * part / jobParts_;
    const int64_t end = jobSize_ * (part + 1) / jobParts_;
    (*job_)(begin, end);
  }

  void loop(int index) {
    uint64_t seen = generation_.load(std::memory_order_acquire);
    for (;;) {
      uint64_t current = generation_.load(std::memory_order_acquire);
      for (int spin = 0; current == seen && spin < kSpins; ++spin) {
        std::this_thread::yield();
        current = generation_.load(std::memory_order_acquire);
      }
      if (current == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        current = generation_.load(std::memory_order_acquire);
      }
      seen = current;
      if (stop_) return;
      if (job_ != nullptr && index < jobParts_) {
        runPart(index);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  static constexpr int kSpins = 2000;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t jobSize_ = 0;
  int64_t jobParts_ = 0;
  bool stop_ = false;
};

ThreadPool& pool();

}  // namespace hs

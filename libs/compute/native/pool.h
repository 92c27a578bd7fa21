// A tiny fork-join pool for the elementwise kernels: the calling (JS) thread always takes part, so with
// `threads == 1` nothing is ever handed to another thread. Workers spin briefly after a job before
// sleeping, because TF.js issues kernels back to back and a futex wake-up costs more than most of them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <algorithm>
#include <vector>

namespace hs {

class ThreadPool {
 public:
  ~ThreadPool() { resize(1); }

  struct Stats {
    uint64_t parallelJobs, stalls, serialSwitches;
    int64_t serialJobsLeft;
  };
  Stats stats() const { return {parallelJobs_, stallsTotal_, serialSwitches_, serialJobs_}; }

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
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { loop(); });
  }

  // Runs fn(begin, end) over [0, n) in chunks of at least `grain` items. Chunks are claimed from a shared
  // counter, so a helper that the OS does not schedule in time (a busy machine) simply claims nothing and
  // the caller does the work: the caller only waits for chunks a helper has actually claimed.
  // `chunksPerThread` > 1 balances load when a helper starts late; sgemm parts pass 1, since every part
  // packs the whole other operand again (8 parts of config B's weight-gradient products cost up to 1.7x
  // the CPU time of one).
  void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn,
                   int64_t chunksPerThread = kChunksPerThread) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    const int64_t threads = static_cast<int64_t>(size());
    const int64_t chunks = std::min<int64_t>(n / grain, threads * std::max<int64_t>(1, chunksPerThread));
    if (threads == 1 || chunks <= 1 || serialJobs_ > 0) {
      if (serialJobs_ > 0) --serialJobs_;
      fn(0, n);
      return;
    }
    if ((++parallelJobs_ & 1023) == 0) stalls_ = 0;  // count stalls per window of 1024 jobs
    fn_ = &fn;
    jobSize_ = n;
    jobChunks_ = chunks;
    next_.store(0, std::memory_order_relaxed);
    active_.store(true, std::memory_order_release);  // publishes the fields above
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    const auto jobStart = std::chrono::steady_clock::now();
    runChunks();
    // No helper may still be claiming when the next job resets the counter: close the job, then wait
    // for helpers inside it (they hold a claimed chunk or are about to find the counter exhausted).
    active_.store(false, std::memory_order_seq_cst);
    if (inside_.load(std::memory_order_seq_cst) > 0) {
      // A running helper finishes its chunk within microseconds: spin (a yield on a busy machine can
      // hand our core to another process for a whole slice), then yield if it was descheduled.
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < kWaitSpins && inside_.load(std::memory_order_seq_cst) > 0; ++i) cpuRelax();
      while (inside_.load(std::memory_order_seq_cst) > 0) std::this_thread::yield();
      noteWait(std::chrono::steady_clock::now() - start, start - jobStart);
    }
  }

 private:
  static void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }

  // A helper that claimed a chunk and was then descheduled (more runnable threads than cores: other
  // processes) makes the caller wait a whole scheduler slice. When that keeps happening, run serially
  // for a while (serial is faster on an oversubscribed machine), then try threads again.
  // A wait shorter than the caller's own share of the job is not a stall: with chunks of a big matmul
  // the caller legitimately waits up to one chunk for the helper's last one (counting those once
  // switched an idle machine to serial for config B's large products).
  void noteWait(std::chrono::steady_clock::duration waited, std::chrono::steady_clock::duration callerWork) {
    if (waited < std::chrono::milliseconds(1) || waited < callerWork) return;
    ++stallsTotal_;
    if (++stalls_ < kStallLimit) return;
    stalls_ = 0;
    serialJobs_ = kSerialJobs;
    ++serialSwitches_;
  }

  void runChunks() {
    for (;;) {
      const int64_t c = next_.fetch_add(1, std::memory_order_acq_rel);
      if (c >= jobChunks_) return;
      (*fn_)(jobSize_ * c / jobChunks_, jobSize_ * (c + 1) / jobChunks_);
    }
  }

  void helpIfActive() {
    inside_.fetch_add(1, std::memory_order_seq_cst);
    if (active_.load(std::memory_order_seq_cst)) runChunks();
    inside_.fetch_sub(1, std::memory_order_seq_cst);
  }

  void loop() {
    uint64_t seen = generation_.load(std::memory_order_acquire);
    for (;;) {
      uint64_t current = generation_.load(std::memory_order_acquire);
      for (int spin = 0; current == seen && spin < kSpins; ++spin) {
        cpuRelax();
        current = generation_.load(std::memory_order_acquire);
      }
      if (current == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        current = generation_.load(std::memory_order_acquire);
      }
      seen = current;
      if (stop_) return;
      helpIfActive();
    }
  }

  // Pause-loop iterations (~40 ns each on x86): helpers wait ~200 us for the next job before sleeping,
  // the caller ~400 us for helpers before yielding.
  static constexpr int kSpins = 5000;
  static constexpr int kWaitSpins = 10000;
  static constexpr int64_t kChunksPerThread = 4;
  static constexpr int kStallLimit = 16;
  static constexpr int64_t kSerialJobs = 20000;
  int stalls_ = 0;
  int64_t serialJobs_ = 0;
  uint64_t parallelJobs_ = 0;
  uint64_t serialSwitches_ = 0;
  uint64_t stallsTotal_ = 0;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  // The current job; written only while no helper is inside it (see parallelFor).
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t jobSize_ = 0;
  int64_t jobChunks_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<bool> active_{false};
  std::atomic<int> inside_{0};
  std::atomic<bool> stop_{false};
};

ThreadPool& pool();

}  // namespace hs
